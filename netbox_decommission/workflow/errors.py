"""The refusal every rule of the plugin raises: the UI, the REST API and the jobs turn it into their own answer."""
from core.signals import clear_events

__all__ = ('WorkflowError', 'forget_refused_change')


class WorkflowError(Exception):
    """An illegal move. The message names the stage, the missing condition and the fix."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def forget_refused_change(sender):
    """
    A refused change rolled its transaction back, but NetBox queued the events of what it saved before the refusal;
    drop them, or NetBox would send webhooks for changes that never happened when the request ends.
    """
    clear_events.send(sender=sender)
