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
    # Hand-overs to a disposal vendor (docs/handovers.md)
    path('handovers/', include(get_model_urls('netbox_decommission', 'handover', detail=False))),
    path('handovers/<int:pk>/', include(get_model_urls('netbox_decommission', 'handover'))),
)
