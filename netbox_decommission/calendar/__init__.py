"""
The calendar of removal windows: an iCalendar (RFC 5545) feed that calendar programs subscribe to, its secret
addresses, and the warnings about windows that clash.

    feed.py           the feed: one VEVENT per decommission with a planned window that the feed's owner may view
    secrets.py        the feeds' secrets: made at random, kept only as their SHA-256
    subscriptions.py  a user's feeds: create (the secret is shown once), find by secret, revoke
    conflicts.py      windows that overlap another open decommission's in the same rack or behind the same switch
"""
