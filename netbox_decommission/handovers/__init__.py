"""
Hand-overs to a disposal vendor (docs/handovers.md): which items may go (eligibility), the hand-over itself with its
custody moves and frozen manifest (services), the manifest as PDF and CSV (manifest), and the reconciliation of the
vendor's certificate serial by serial (certificate).
"""
