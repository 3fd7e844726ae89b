from django.urls import include, path

from utilities.urls import get_model_urls

from . import views  # noqa: F401  (registers the model views)

urlpatterns = (
    path('storage-locations/', include(get_model_urls('netbox_decommission', 'storagelocation', detail=False))),
    path('storage-locations/<int:pk>/', include(get_model_urls('netbox_decommission', 'storagelocation'))),
    path('decommissions/', include(get_model_urls('netbox_decommission', 'decommission', detail=False))),
    path('decommissions/<int:pk>/', include(get_model_urls('netbox_decommission', 'decommission'))),
    path('removed-components/', include(get_model_urls('netbox_decommission', 'removedcomponent', detail=False))),
    path('removed-components/<int:pk>/', include(get_model_urls('netbox_decommission', 'removedcomponent'))),
    # The e-waste report (views/ewaste.py): a report across hand-overs, no model's view.
    path('ewaste/', views.EwasteReportView.as_view(), name='ewaste_report'),
    # The calendar of removal windows: the user's own feeds, and the feed itself (no login: the secret is the key).
    path('calendar-feeds/', views.CalendarFeedListView.as_view(), name='calendarfeed_list'),
    path('calendar-feeds/add/', views.CalendarFeedAddView.as_view(), name='calendarfeed_add'),
    path('calendar-feeds/<int:pk>/delete/', views.CalendarFeedDeleteView.as_view(), name='calendarfeed_delete'),
    path('calendar/<str:secret>.ics', views.CalendarICSView.as_view(), name='calendar_feed'),
    # Hand-overs to a disposal vendor (docs/handovers.md)
    path('handovers/', include(get_model_urls('netbox_decommission', 'handover', detail=False))),
    path('handovers/<int:pk>/', include(get_model_urls('netbox_decommission', 'handover'))),
)
