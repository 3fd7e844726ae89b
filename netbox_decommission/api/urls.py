from netbox.api.routers import NetBoxRouter

from . import views

app_name = 'netbox_decommission-api'

router = NetBoxRouter()
router.register('storage-locations', views.StorageLocationViewSet)
router.register('decommissions', views.DecommissionViewSet)
router.register('removed-components', views.RemovedComponentViewSet)

urlpatterns = router.urls
