"""
The calendar feeds in the web UI: each user lists, creates and revokes their own (like NetBox's own API tokens),
and the feed itself, which calendar programs read without logging in: the secret in its address is the credential.
"""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from netbox.config import get_config
from utilities.forms import restrict_form_fields

from ..calendar import subscriptions
from ..calendar.feed import build_calendar
from ..forms.calendar_feeds import CalendarFeedForm

__all__ = (
    'CalendarFeedAddView',
    'CalendarFeedDeleteView',
    'CalendarFeedListView',
    'CalendarICSView',
)

SESSION_KEY = '_decommission_calendar_feed_{pk}'


class CalendarFeedListView(LoginRequiredMixin, View):
    """The user's own feeds; right after one is created, its address (with the secret) is shown, this once."""
    template_name = 'netbox_decommission/calendarfeed_list.html'

    def get(self, request):
        feeds = list(subscriptions.own_feeds(request.user))
        new_feed_url = None
        for feed in feeds:
            secret = request.session.pop(SESSION_KEY.format(pk=feed.pk), None)
            if secret:
                new_feed_url = (feed, request.build_absolute_uri(subscriptions.feed_path(secret)))
        return render(request, self.template_name, {'feeds': feeds, 'new_feed': new_feed_url})


class CalendarFeedAddView(LoginRequiredMixin, View):
    """Create a feed; the list then shows its address once."""
    template_name = 'netbox_decommission/calendarfeed_edit.html'

    def get_form(self, request, data=None):
        form = CalendarFeedForm(data=data)
        restrict_form_fields(form, request.user)
        return form

    def get(self, request):
        return render(request, self.template_name, {'form': self.get_form(request)})

    def post(self, request):
        form = self.get_form(request, data=request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {'form': form})
        feed, secret = subscriptions.create_feed(request.user, **form.cleaned_data)
        request.session[SESSION_KEY.format(pk=feed.pk)] = secret
        messages.success(request, _(
            'Calendar feed "{name}" created. Copy its address now: it is shown only once.').format(name=feed.name))
        return redirect('plugins:netbox_decommission:calendarfeed_list')


class CalendarFeedDeleteView(LoginRequiredMixin, View):
    """Revoke one of the user's own feeds (another user's answers 404)."""
    template_name = 'netbox_decommission/calendarfeed_delete.html'

    def get_feed(self, request, pk):
        return get_object_or_404(subscriptions.own_feeds(request.user), pk=pk)

    def get(self, request, pk):
        return render(request, self.template_name, {
            'feed': self.get_feed(request, pk),
            'return_url': reverse('plugins:netbox_decommission:calendarfeed_list'),
        })

    def post(self, request, pk):
        feed = self.get_feed(request, pk)
        name = feed.name
        subscriptions.revoke_feed(feed)
        messages.success(request, _('Calendar feed "{name}" revoked: its address no longer answers.').format(name=name))
        return redirect('plugins:netbox_decommission:calendarfeed_list')


class CalendarICSView(View):
    """
    GET /plugins/decommission/calendar/<secret>.ics: the iCalendar feed. No login, session or token (calendar
    programs send none): NetBox enforces LOGIN_REQUIRED per view (ConditionalLoginRequiredMixin), and this view has
    no such mixin. A wrong or revoked secret, or a deactivated owner, answers a bare 404.
    """

    def get(self, request, secret):
        feed = subscriptions.feed_for_secret(secret)
        if feed is None:
            # Not NetBox's 404 page: a bare answer, the same for a wrong, a revoked and a deactivated owner's secret.
            return HttpResponseNotFound(b'', content_type='text/plain')
        # In maintenance mode NetBox's database refuses writes; the feed is still read, its last use not recorded.
        if not get_config().MAINTENANCE_MODE:
            subscriptions.touch(feed)
        body = build_calendar(feed, base_url=request.build_absolute_uri('/').rstrip('/'), host=request.get_host())
        response = HttpResponse(body, content_type='text/calendar; charset=utf-8')
        response['Content-Disposition'] = 'inline; filename="removal-windows.ics"'
        # The address is the credential: keep it out of shared caches.
        response['Cache-Control'] = 'private, max-age=0, no-cache'
        return response
