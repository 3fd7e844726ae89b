"""
The REST API of calendar feeds, calendar-feeds/: each user lists, creates and revokes only their own feeds (superusers
too: a feed is a personal credential, like an API token of NetBox's own account pages). POST answers the feed's
address with its secret, once (``feed_url``); later answers carry null there.
"""
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from dcim.api.serializers import SiteSerializer
from tenancy.api.serializers import TenantSerializer
from users.models import Token

from ..calendar import subscriptions
from ..choices import DecommissionStatusChoices
from ..models import CalendarFeed

__all__ = ('CalendarFeedSerializer', 'CalendarFeedViewSet')


class CalendarFeedSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name='plugins-api:netbox_decommission-api:calendarfeed-detail')
    display = serializers.CharField(source='name', read_only=True)
    site = SiteSerializer(nested=True, required=False, allow_null=True)
    tenant = TenantSerializer(nested=True, required=False, allow_null=True)
    stages = serializers.ListField(
        child=serializers.ChoiceField(choices=DecommissionStatusChoices), required=False,
        help_text=_('Only records at these stages; none: every stage'),
    )
    feed_url = serializers.SerializerMethodField(help_text=_(
        'The address to subscribe to, with its secret: only in the answer that creates the feed'))

    class Meta:
        model = CalendarFeed
        fields = ('id', 'url', 'display', 'name', 'key_prefix', 'site', 'tenant', 'stages', 'created', 'last_used',
                  'feed_url')
        read_only_fields = ('key_prefix', 'created', 'last_used')

    def get_feed_url(self, feed) -> str | None:
        secret = self.context.get('secret')
        request = self.context.get('request')
        if not secret or request is None:
            return None
        return request.build_absolute_uri(subscriptions.feed_path(secret))


class OwnFeedsPermission(BasePermission):
    """
    Any signed-in user manages their own feeds (no model permission: the queryset is theirs alone). A token must be
    write-enabled to create or revoke; NetBox's TokenWritePermission would also refuse the session of the web UI.
    """

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if request.method not in SAFE_METHODS and isinstance(request.auth, Token):
            return bool(request.auth.write_enabled)
        return True


class CalendarFeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          mixins.DestroyModelMixin, GenericViewSet):
    """The user's own calendar feeds: list, create (the secret is answered once), revoke (DELETE)."""
    queryset = CalendarFeed.objects.all()
    serializer_class = CalendarFeedSerializer
    permission_classes = (OwnFeedsPermission,)
    # A user's few feeds, in the model's order: no filters, no ?ordering (NetBox's cursor pagination refuses it).
    filter_backends = ()

    def get_queryset(self):
        if getattr(self, 'swagger_fake_view', False):
            return CalendarFeed.objects.none()
        return subscriptions.own_feeds(self.request.user)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        feed, secret = subscriptions.create_feed(request.user, **body.validated_data)
        answer = self.get_serializer_class()(feed, context=self.get_serializer_context() | {'secret': secret})
        return Response(answer.data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        subscriptions.revoke_feed(instance)
