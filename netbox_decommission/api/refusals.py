"""How every REST endpoint of the plugin answers a refused change: 400 naming the field, or 409 with the reason."""
from rest_framework import status
from rest_framework.response import Response

from ..workflow.errors import forget_refused_change

__all__ = ('refusal_response',)


def refusal_response(error, sender):
    """The answer to a WorkflowError raised while serving ``sender``'s request; the change's events are dropped."""
    forget_refused_change(sender)
    if error.field:
        return Response({error.field: [error.message]}, status=status.HTTP_400_BAD_REQUEST)
    return Response({'detail': error.message}, status=status.HTTP_409_CONFLICT)
