from django.urls import path

from netbox.api.routers import NetBoxRouter

from . import views, workflow_views

app_name = 'netbox_decommission-api'

router = NetBoxRouter()
router.register('storage-locations', views.StorageLocationViewSet)
router.register('decommissions', views.DecommissionViewSet)
router.register('removed-components', views.RemovedComponentViewSet)

workflow_urls = [
    path(f'decommissions/<int:pk>/{name}/', view.as_view(), name=f'decommission-{name}')
    for name, view in (
        ('sign', workflow_views.SignView),
        ('schedule', workflow_views.ScheduleView),
        ('backup', workflow_views.BackupView),
        ('shutdown', workflow_views.ShutdownView),
        ('disassemble', workflow_views.DisassembleView),
        ('store', workflow_views.StoreView),
        ('close', workflow_views.CloseView),
        ('cancel', workflow_views.CancelView),
        ('impact', workflow_views.ImpactView),
        ('documents', workflow_views.DocumentListView),
        ('stage-log', workflow_views.StageLogView),
    )
] + [
    path('decommissions/<int:pk>/documents/<str:kind>.pdf', workflow_views.DocumentPDFView.as_view(),
         name='decommission-document-pdf'),
    path('decommissions/<int:pk>/labels.pdf', workflow_views.LabelsPDFView.as_view(), name='decommission-labels-pdf'),
    path('decommissions/documents/verify/', workflow_views.DocumentVerifyView.as_view(),
         name='decommission-documents-verify'),
]

urlpatterns = workflow_urls + router.urls
