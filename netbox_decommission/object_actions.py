"""Buttons of the plugin's object pages, in NetBox's ObjectAction form (rendered with the page's other actions)."""
from django.utils.translation import gettext_lazy as _

from netbox.object_actions import ObjectAction

from .choices import DocumentLanguageChoices

__all__ = (
    'BulkDocuments',
    'BulkMove',
    'DisposeComponent',
    'EventLogExtract',
    'HandoverAddItems',
    'HandoverClose',
    'HandoverHandOver',
    'HandoverManifest',
    'HandoverUploadCertificate',
    'SanitizationCertificate',
)


class DisposeComponent(ObjectAction):
    """Record the final disposition of a removed component: reused, transferred to a vendor, or destroyed."""
    name = 'dispose'
    label = _('Final disposition')
    permissions_required = {'change'}
    url_kwargs = ['pk']
    template_name = 'netbox_decommission/buttons/dispose.html'

    @classmethod
    def render(cls, context, obj, **kwargs):
        # Once final, a disposition is corrected by editing the record, not recorded again.
        return '' if obj.is_final else super().render(context, obj, **kwargs)


class MediaDocument(ObjectAction):
    """A document of a storage medium, in each language; components that are not media have none."""
    permissions_required = {'view'}
    url_kwargs = ['pk']
    template_name = 'netbox_decommission/buttons/media_document.html'
    icon = ''

    @classmethod
    def get_context(cls, context, obj):
        return {'languages': DocumentLanguageChoices.CHOICES, 'icon': cls.icon}

    @classmethod
    def render(cls, context, obj, **kwargs):
        return super().render(context, obj, **kwargs) if obj.is_media else ''


class SanitizationCertificate(MediaDocument):
    """The certificate of sanitization (English) or the act of destruction (Russian) of a storage medium."""
    name = 'sanitization_certificate'
    label = _('Sanitization certificate')
    icon = 'mdi-certificate'


class EventLogExtract(MediaDocument):
    """The extract from the event log that accompanies the act of destruction of personal data."""
    name = 'event_log_extract'
    label = _('Event log extract')
    icon = 'mdi-text-box-search-outline'


class BulkMove(ObjectAction):
    """Make one workflow move on each selected decommission (each record is checked for the move's permission)."""
    name = 'bulk_move'
    label = _('Workflow move')
    multi = True
    permissions_required = {'view'}
    template_name = 'netbox_decommission/buttons/bulk_move.html'


class BulkDocuments(ObjectAction):
    """The documents of the selected decommissions, as one ZIP archive."""
    name = 'bulk_documents'
    label = _('Documents (ZIP)')
    multi = True
    permissions_required = {'view'}
    template_name = 'netbox_decommission/buttons/bulk_documents.html'


# Hand-overs to a disposal vendor (views/handover.py): each operation's button, shown while it is available.

class HandoverAction(ObjectAction):
    permissions_required = {'change'}
    url_kwargs = ['pk']
    template_name = 'netbox_decommission/buttons/handover_action.html'
    icon = ''
    color = 'primary'
    statuses = ()

    @classmethod
    def get_context(cls, context, obj):
        return {'icon': cls.icon, 'color': cls.color, 'action': cls.name}

    @classmethod
    def render(cls, context, obj, **kwargs):
        return super().render(context, obj, **kwargs) if obj.status in cls.statuses else ''


class HandoverAddItems(HandoverAction):
    """Choose the components and servers a planned hand-over carries."""
    name = 'add_items'
    label = _('Add items')
    icon = 'mdi-playlist-plus'
    statuses = ('planned',)


class HandoverHandOver(HandoverAction):
    """Hand the items over to the vendor (a confirmation page first)."""
    name = 'hand_over'
    label = _('Hand over')
    icon = 'mdi-truck-delivery'
    color = 'purple'
    statuses = ('planned',)


class HandoverUploadCertificate(HandoverAction):
    """Upload the vendor's certificate and reconcile it with the manifest."""
    name = 'certificate'
    label = _('Upload certificate')
    icon = 'mdi-certificate'
    color = 'cyan'
    statuses = ('handed_over',)


class HandoverClose(HandoverAction):
    """Close the hand-over, with exceptions for the items the certificates do not account for."""
    name = 'close_handover'
    label = _('Close')
    icon = 'mdi-lock-check'
    color = 'dark'
    statuses = ('handed_over',)


class HandoverManifest(ObjectAction):
    """The manifest: PDF in each language, and CSV."""
    name = 'manifest'
    label = _('Manifest')
    permissions_required = {'view'}
    url_kwargs = ['pk']
    template_name = 'netbox_decommission/buttons/handover_manifest.html'

    @classmethod
    def get_context(cls, context, obj):
        return {'languages': DocumentLanguageChoices.CHOICES}
