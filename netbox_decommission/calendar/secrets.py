"""
The secret of a calendar feed's address. Calendar programs cannot send NetBox's API token, so the address itself is
the credential: 40 random characters (secrets.token_urlsafe, about 240 bits). NetBox keeps only its SHA-256 and its
first characters (to tell feeds apart), as it does for API tokens: a secret seen once cannot be shown again.
"""
import hashlib
import secrets

__all__ = ('hash_secret', 'key_prefix', 'new_secret')

PREFIX_LENGTH = 8


def new_secret():
    """A new random secret, safe in a URL path."""
    return secrets.token_urlsafe(30)


def hash_secret(secret):
    """The SHA-256 (hex) that is stored and looked up in place of the secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def key_prefix(secret):
    """The first characters of the secret, shown in lists so that the owner can tell feeds apart."""
    return secret[:PREFIX_LENGTH]
