"""The refusal every rule of the plugin raises: the UI, the REST API and the jobs turn it into their own answer."""

__all__ = ('WorkflowError',)


class WorkflowError(Exception):
    """An illegal move. The message names the stage, the missing condition and the fix."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field
