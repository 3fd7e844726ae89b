from django.urls import path

from netbox.api.routers import NetBoxRouter

from . import (
    bulk_views,
    calendar_views,
    component_views,
    ewaste_views,
    handover_views,
    harvest_views,
    media_document_views,
    views,
    workflow_views,
)

app_name = 'netbox_decommission-api'

router = NetBoxRouter()
router.register('storage-locations', views.StorageLocationViewSet)
router.register('decommissions', views.DecommissionViewSet)
router.register('removed-components', views.RemovedComponentViewSet)
router.register('calendar-feeds', calendar_views.CalendarFeedViewSet)
router.register('handovers', handover_views.HandoverViewSet)

# The moves are actions of the decommission viewset (views.move_action); these are the other endpoints.
workflow_urls = [
    path(f'decommissions/<int:pk>/{name}/', view.as_view(), name=f'decommission-{name}')
    for name, view in (
        ('impact', workflow_views.ImpactView),
        ('documents', workflow_views.DocumentListView),
        ('stage-log', workflow_views.StageLogView),
    )
] + [
    path('decommissions/<int:pk>/documents/<str:kind>.pdf', workflow_views.DocumentPDFView.as_view(),
         name='decommission-document-pdf'),
    path('decommissions/<int:pk>/documents/<str:kind>/<str:language>/verify/',
         workflow_views.CopyVerificationView.as_view(), name='decommission-document-copy-verify'),
    path('decommissions/<int:pk>/labels.pdf', workflow_views.LabelsPDFView.as_view(), name='decommission-labels-pdf'),
    path('decommissions/<int:pk>/sanitization-certificate.pdf',
         media_document_views.DecommissionSanitizationPDFView.as_view(),
         name='decommission-sanitization-certificate-pdf'),
    path('removed-components/<int:pk>/sanitization-certificate.pdf',
         media_document_views.RemovedComponentSanitizationPDFView.as_view(),
         name='removedcomponent-sanitization-certificate-pdf'),
    path('decommissions/<int:pk>/event-log-extract.pdf',
         media_document_views.DecommissionEventLogExtractPDFView.as_view(),
         name='decommission-event-log-extract-pdf'),
    path('removed-components/<int:pk>/event-log-extract.pdf',
         media_document_views.RemovedComponentEventLogExtractPDFView.as_view(),
         name='removedcomponent-event-log-extract-pdf'),
    path('removed-components/<int:pk>/dispose/', component_views.DisposeView.as_view(),
         name='removedcomponent-dispose'),
    path('removed-components/<int:pk>/custody/', component_views.ComponentCustodyView.as_view(),
         name='removedcomponent-custody'),
    path('decommissions/<int:pk>/custody/', component_views.DecommissionCustodyView.as_view(),
         name='decommission-custody'),
    path('storage-locations/<int:pk>/custody/', component_views.StorageLocationCustodyView.as_view(),
         name='storagelocation-custody'),
    path('decommissions/documents/verify/', workflow_views.DocumentVerifyView.as_view(),
         name='decommission-documents-verify'),
    path('decommissions/<int:pk>/harvest/', harvest_views.HarvestView.as_view(), name='decommission-harvest'),
    path('decommissions/bulk-start/', bulk_views.BulkStartView.as_view(), name='decommission-bulk-start'),
    path('decommissions/bulk-move/', bulk_views.BulkMoveView.as_view(), name='decommission-bulk-move'),
    path('decommissions/bulk-documents/', bulk_views.BulkDocumentsView.as_view(), name='decommission-bulk-documents'),
]

# The e-waste report (api/ewaste_views.py): JSON, or CSV with ?format=csv.
ewaste_urls = [
    path('ewaste/', ewaste_views.EwasteReportView.as_view(), name='ewaste-report'),
]

# Hand-overs to a disposal vendor (docs/handovers.md): the manifest; the operations are the viewset's actions.
handover_urls = [
    path('handovers/<int:pk>/manifest.pdf', handover_views.HandoverManifestPDFView.as_view(),
         name='handover-manifest-pdf'),
    path('handovers/<int:pk>/manifest.csv', handover_views.HandoverManifestCSVView.as_view(),
         name='handover-manifest-csv'),
]

urlpatterns = workflow_urls + ewaste_urls + handover_urls + router.urls
