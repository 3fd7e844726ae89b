"""
Who signs each document: the roles the procedure names for the order, the application and the act, and the people
the record names in them. The workflow refuses a signature outside them; the documents print them.
"""
from ..choices import DocumentKindChoices as Kind
from ..choices import SignatureRoleChoices as Role

__all__ = (
    'document_label',
    'held_roles',
    'missing_signers',
    'owed_roles',
    'required_signers',
)


def document_label(kind):
    return str(dict(Kind)[kind]).lower()


def required_signers(decommission, kind):
    """The (role, user) pairs a document needs; a user may appear in several roles."""
    if kind == Kind.KIND_ORDER:
        return [(Role.ROLE_HEAD, decommission.head), (Role.ROLE_RESPONSIBLE, decommission.responsible)]
    if kind == Kind.KIND_APPLICATION:
        return [(Role.ROLE_HEAD, decommission.head)]
    if kind == Kind.KIND_ACT:
        return [(Role.ROLE_EXECUTOR, user) for user in decommission.executors.order_by('username')] + [
            (Role.ROLE_HEAD, decommission.head)
        ]
    # The documents issued at closing are NetBox's record of facts already signed for: nobody signs them.
    return []


def missing_signers(decommission, document):
    signed = set(document.signatures.values_list('role', 'user_id'))
    return [(role, user) for role, user in required_signers(decommission, document.kind)
            if user is None or (role, user.pk) not in signed]


def held_roles(decommission, user):
    """The roles the user holds on the record, whichever document names them."""
    return {
        role for kind in Kind.SIGNED
        for role, signer in required_signers(decommission, kind)
        if signer is not None and signer.pk == user.pk
    }


def owed_roles(decommission, user, document):
    """The roles in which the user still owes ``document`` a signature."""
    return [role for role, signer in missing_signers(decommission, document)
            if signer is not None and signer.pk == user.pk]
