import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netbox.ui import attrs, panels

from ..choices import (
    GONE_COMPONENT_STATUSES,
    DecommissionStatusChoices,
    DocumentKindChoices,
    DocumentLanguageChoices,
)
from ..choices import FixityStateChoices as Fixity
from ..documents.fixity import copy_problems
from ..models import CustodyEvent
from ..serials import live_duplicates
from ..weights import weight_origin
from .workflow_state import progress_steps, workflow_state


class WeightAttr(attrs.ObjectAttribute):
    """
    The weight in kilograms the e-waste report counts (weights.py): the one set on the record, else its type's, with
    where it came from.
    """
    template_name = 'netbox_decommission/attrs/weight.html'

    def get_value(self, obj):
        return weight_origin(obj).weight

    def get_context(self, obj, attr, value, context):
        kind = 'component' if hasattr(obj, 'decommission_id') else 'server'
        return {'origin': weight_origin(obj), 'object_kind': kind}


class StorageLocationPanel(panels.ObjectAttributesPanel):
    name = attrs.TextAttr('name', label=_('Name'))
    kind = attrs.ChoiceAttr('kind', label=_('Kind'))
    site = attrs.RelatedObjectAttr('site', label=_('Site'), linkify=True)
    location = attrs.NestedObjectAttr('location', label=_('Location'), linkify=True)
    rack = attrs.RelatedObjectAttr('rack', label=_('Rack'), linkify=True)
    capacity = attrs.NumericAttr('capacity', label=_('Capacity'))
    description = attrs.TextAttr('description', label=_('Description'))


class DecommissionPanel(panels.ObjectAttributesPanel):
    number = attrs.TextAttr('number', label=_('Number'), style='font-monospace', copy_button=True)
    status = attrs.ChoiceAttr('status', label=_('Status'))
    reason = attrs.ChoiceAttr('reason', label=_('Reason'))
    reason_text = attrs.TextAttr('reason_text', label=_('Reason details'))
    organization = attrs.TextAttr('organization', label=_('Organization'))
    tenant = attrs.RelatedObjectAttr('tenant', label=_('Tenant'), linkify=True, grouped_by='group')
    description = attrs.TextAttr('description', label=_('Description'))


class DecommissionPeoplePanel(panels.ObjectAttributesPanel):
    requested_by = attrs.RelatedObjectAttr('requested_by', label=_('Requested by'))
    head = attrs.RelatedObjectAttr('head', label=_('Head'))
    responsible = attrs.RelatedObjectAttr('responsible', label=_('Responsible'))
    responsible_team = attrs.RelatedObjectAttr('responsible_team', label=_('Responsible team'), linkify=True)
    executors = attrs.RelatedObjectListAttr('executors', label=_('Executors'))


class ServerIdentityPanel(panels.ObjectAttributesPanel):
    """The server as it was when the record was created; still shown after the device is deleted."""
    device = attrs.RelatedObjectAttr('device', label=_('Device'), linkify=True)
    device_pk = attrs.TextAttr('device_pk', label=_('NetBox device ID'))
    device_name = attrs.TextAttr('device_name', label=_('Name'))
    device_serial = attrs.TextAttr('device_serial', label=_('Serial number'), style='font-monospace', copy_button=True)
    device_asset_tag = attrs.TextAttr('device_asset_tag', label=_('Asset tag'), style='font-monospace')
    device_type_name = attrs.TextAttr('device_type_name', label=_('Device type'))
    weight = WeightAttr('weight', label=_('Weight (kg)'))
    site = attrs.RelatedObjectAttr('site', label=_('Site'), linkify=True)
    rack_name = attrs.TextAttr('rack_name', label=_('Rack'))
    position = attrs.TextAttr('position', label=_('Position (U)'))
    primary_ip4 = attrs.TextAttr('primary_ip4', label=_('Primary IPv4'), style='font-monospace')
    primary_ip6 = attrs.TextAttr('primary_ip6', label=_('Primary IPv6'), style='font-monospace')


class DeviceDeletedPanel(panels.Panel):
    """A notice that the device this record retired no longer exists in NetBox."""
    template_name = 'netbox_decommission/panels/device_deleted.html'

    def should_render(self, context):
        return context['object'].device_deleted


class DecommissionSchedulePanel(panels.ObjectAttributesPanel):
    planned_start = attrs.DateTimeAttr('planned_start', label=_('Planned start'), spec='minutes')
    planned_end = attrs.DateTimeAttr('planned_end', label=_('Planned end'), spec='minutes')
    removed_at = attrs.DateTimeAttr('removed_at', label=_('Actual removal time'), spec='minutes')
    storage_location = attrs.RelatedObjectAttr('storage_location', label=_('Storage location'), linkify=True)


class DecommissionBackupPanel(panels.ObjectAttributesPanel):
    backup_method = attrs.ChoiceAttr('backup_method', label=_('Method'))
    backup_target = attrs.TextAttr('backup_target', label=_('Target'))
    backup_size_gb = attrs.NumericAttr('backup_size_gb', label=_('Size (GB)'))
    backup_verified_by = attrs.RelatedObjectAttr('backup_verified_by', label=_('Restore verified by'))
    backup_verified_at = attrs.DateTimeAttr('backup_verified_at', label=_('Restore verified at'), spec='minutes')
    backup_waiver_reason = attrs.TextAttr('backup_waiver_reason', label=_('Waiver reason'))


class DecommissionShutdownPanel(panels.ObjectAttributesPanel):
    services_stopped = attrs.BooleanAttr('services_stopped', label=_('Services stopped'))
    users_notified = attrs.BooleanAttr('users_notified', label=_('Users notified'))
    powered_off = attrs.BooleanAttr('powered_off', label=_('Powered off'))
    network_disconnected = attrs.BooleanAttr('network_disconnected', label=_('Disconnected from the network'))
    clone_medium = attrs.TextAttr('clone_medium', label=_('Clone medium'))


class RemovedComponentPanel(panels.ObjectAttributesPanel):
    decommission = attrs.RelatedObjectAttr('decommission', label=_('Decommission'), linkify=True)
    kind = attrs.ChoiceAttr('kind', label=_('Kind'))
    name = attrs.TextAttr('name', label=_('Name'))
    manufacturer = attrs.RelatedObjectAttr('manufacturer', label=_('Manufacturer'), linkify=True)
    part_id = attrs.TextAttr('part_id', label=_('Part ID'), style='font-monospace')
    serial = attrs.TextAttr('serial', label=_('Serial number'), style='font-monospace', copy_button=True)
    asset_tag = attrs.TextAttr('asset_tag', label=_('Asset tag'), style='font-monospace')
    source_kind = attrs.ChoiceAttr('source_kind', label=_('Source'))
    source_name = attrs.TextAttr('source_name', label=_('Source name'))
    weight = WeightAttr('weight', label=_('Weight (kg)'))
    description = attrs.TextAttr('description', label=_('Description'))


class RemovedComponentHandlingPanel(panels.ObjectAttributesPanel):
    condition = attrs.ChoiceAttr('condition', label=_('Condition'))
    condition_notes = attrs.TextAttr('condition_notes', label=_('Inspection notes'))
    inspected_by = attrs.RelatedObjectAttr('inspected_by', label=_('Inspected by'))
    inspected_at = attrs.DateTimeAttr('inspected_at', label=_('Inspected at'), spec='minutes')
    antistatic_packed = attrs.BooleanAttr('antistatic_packed', label=_('Anti-static packaging'))
    package_label = attrs.TextAttr('package_label', label=_('Package label'), style='font-monospace')
    seal_number = attrs.TextAttr('seal_number', label=_('Tamper seal'), style='font-monospace')
    storage_location = attrs.RelatedObjectAttr('storage_location', label=_('Storage location'), linkify=True)
    status = attrs.ChoiceAttr('status', label=_('Status'))


class RemovedComponentSanitizationPanel(panels.ObjectAttributesPanel):
    is_media = attrs.BooleanAttr('is_media', label=_('Storage medium'))
    sanitization_state = attrs.ChoiceAttr('sanitization_state', label=_('State'))
    information_system = attrs.TextAttr('information_system', label=_('Information system'))
    data_classification = attrs.TextAttr('data_classification', label=pgettext_lazy('data', 'Classification'))
    personal_data_categories = attrs.TextAttr('personal_data_categories', label=_('Categories of personal data'))
    data_subject_categories = attrs.TextAttr('data_subject_categories', label=_('Data subjects'))
    personal_data_processor = attrs.TextAttr('personal_data_processor', label=_('Processor of personal data'))
    data_backed_up = attrs.BooleanAttr('data_backed_up', label=_('Data backed up'))
    backup_location = attrs.TextAttr('backup_location', label=_('Backup location'))
    sanitization_method = attrs.ChoiceAttr('sanitization_method', label=_('Method (NIST SP 800-88)'))
    sanitization_technique = attrs.TextAttr('sanitization_technique', label=_('Technique'))
    sanitization_tool = attrs.TextAttr('sanitization_tool', label=_('Tool'))
    sanitization_tool_version = attrs.TextAttr('sanitization_tool_version', label=_('Tool version'))
    sanitized_by = attrs.RelatedObjectAttr('sanitized_by', label=_('Sanitized by'))
    sanitized_on = attrs.TextAttr('sanitized_on', label=_('Date'))
    sanitization_verification = attrs.TextAttr('sanitization_verification', label=_('Verification method'))
    sanitization_verified_by = attrs.RelatedObjectAttr('sanitization_verified_by', label=_('Verified by'))
    post_sanitization_classification = attrs.TextAttr('post_sanitization_classification',
                                                      label=_('Post-sanitization classification'))
    media_destination = attrs.ChoiceAttr('media_destination', label=_('Media destination'))
    sanitization_deferred_reason = attrs.TextAttr('sanitization_deferred_reason', label=_('Reason to sanitize later'))

    def should_render(self, context):
        return context['object'].is_media


class RemovedComponentDispositionPanel(panels.ObjectAttributesPanel):
    status = attrs.ChoiceAttr('status', label=_('Status'))
    disposition_date = attrs.TextAttr('disposition_date', label=_('Date'))
    disposition_reference = attrs.TextAttr('disposition_reference', label=_('Document'))
    reused_as = attrs.RelatedObjectAttr('reused_as', label=_('Reused as'), linkify=True)
    vendor_pickup_date = attrs.TextAttr('vendor_pickup_date', label=_('Vendor pickup date'))
    vendor_certificate = attrs.TextAttr('vendor_certificate', label=_('Vendor certificate'))


class DuplicateSerialPanel(panels.Panel):
    """A warning on a component whose serial number is recorded for another component still in custody."""
    template_name = 'netbox_decommission/panels/duplicate_serial.html'

    def get_context(self, context):
        component = context['object']
        return {**super().get_context(context),
                'duplicates': live_duplicates(component.serial, exclude_pk=component.pk)}

    def should_render(self, context):
        return bool(context['object'].serial)


class CustodyHistoryPanel(panels.ObjectPanel):
    """The chain of custody: every move of a component, of a decommission's server and its parts, or through a place."""
    template_name = 'netbox_decommission/panels/custody_history.html'

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject = subject

    def get_context(self, context):
        obj = context['object']
        events = CustodyEvent.objects.select_related(
            'decommission', 'component', 'from_location__site', 'to_location__site', 'user',
        )
        if self.subject == 'component':
            events = events.filter(component=obj)
        elif self.subject == 'decommission':
            events = events.filter(decommission=obj)
        else:
            events = events.filter(Q(from_location=obj) | Q(to_location=obj))
        return {**super().get_context(context), 'events': events.order_by('-time', '-pk')[:100],
                'subject': self.subject}


class StorageLocationUsagePanel(panels.ObjectPanel):
    """How full the place is: the servers and the components it holds now, against its capacity."""
    template_name = 'netbox_decommission/panels/storage_usage.html'
    title = _('Holds now')

    def get_context(self, context):
        location = context['object']
        servers = location.decommissions.count()
        held = location.components.exclude(status__in=GONE_COMPONENT_STATUSES)
        components = held.count()
        # Capacity counts servers and packages: parts sharing a package label take one place.
        packages = held.exclude(package_label='').values('package_label').distinct().count() + held.filter(
            package_label='').count()
        held = servers + packages
        used = round(100 * held / location.capacity) if location.capacity else None
        return {**super().get_context(context), 'servers': servers, 'components': components, 'packages': packages,
                'held': held, 'used_percent': used}


#
# Workflow
#

class DecommissionProgressPanel(panels.ObjectPanel):
    """The stages as a progress bar: the done ones marked, the current one highlighted (or where it was cancelled)."""
    template_name = 'netbox_decommission/panels/progress.html'
    title = _('Progress')

    def get_context(self, context):
        ctx = super().get_context(context)
        return {**ctx, 'steps': progress_steps(ctx['object'])}


class DecommissionNextStepPanel(panels.ObjectPanel):
    """What has to happen next, what the current stage still needs, and the buttons of the moves the user may make."""
    template_name = 'netbox_decommission/panels/next_step.html'
    title = _("What's next")

    def get_context(self, context):
        ctx = super().get_context(context)
        return {**ctx, 'workflow': workflow_state(ctx['object'], ctx['request'].user)}


class DecommissionDocumentsPanel(panels.ObjectPanel):
    """
    Every document: when drafted and signed (or, for those NetBox issues at closing, when issued), each signature,
    and each frozen copy with its SHA-256 and what the last fixity check found of it; a copy missing from the
    storage or found altered is named with what to do.
    """
    template_name = 'netbox_decommission/panels/documents.html'
    title = _('Documents')

    def get_context(self, context):
        ctx = super().get_context(context)
        decommission = ctx['object']
        documents = {d.kind: d for d in decommission.documents.all()}
        rows = []
        for kind, label in DocumentKindChoices:
            document = documents.get(kind)
            problems = copy_problems(document) if document else {}
            # A missing copy cannot be downloaded; an altered one can, to be examined, and is named below it.
            missing = {code: message for code, (state, message) in problems.items() if state == Fixity.STATE_MISSING}
            downloads = [(code, language, missing.get(code)) for code, language in DocumentLanguageChoices.CHOICES]
            copies = [(file, Fixity.colors.get(file.fixity_state)) for file in document.files.all()] if document else []
            issued = kind not in DocumentKindChoices.SIGNED
            rows.append({'kind': kind, 'label': label, 'document': document, 'downloads': downloads, 'copies': copies,
                         'problems': [message for _state, message in problems.values()], 'issued': issued,
                         'absent': _absent_document(decommission, issued)})
        return {
            **ctx,
            'documents': rows,
            'languages': DocumentLanguageChoices.CHOICES,
            'has_media': any(component.is_media for component in ctx['object'].components.all()),
        }


def _absent_document(decommission, issued):
    """Why a document of the record does not exist (yet)."""
    if not issued:
        return _('Not drafted yet')
    if decommission.is_open:
        return _('Issued at closing')
    # Closed without it (a certificate of sanitization when no medium was removed), or cancelled.
    return _('Not issued')


class RestoreReportPanel(panels.ObjectPanel):
    """What the restore brought back from the snapshot, and what not with the reason (workflow/restore.py)."""
    template_name = 'netbox_decommission/panels/restore_report.html'
    title = _('Restore report')

    def should_render(self, context):
        return bool(context['object'].restore_report)

    def get_context(self, context):
        return {**super().get_context(context), 'report': context['object'].restore_report}


class NetworkCheckPanel(panels.ObjectPanel):
    """Closing's network check: what was probed, from where and how, and which former addresses answered."""
    template_name = 'netbox_decommission/panels/network_check.html'
    title = _('Network check')

    def should_render(self, context):
        return bool(context['object'].network_check)

    def get_context(self, context):
        # NetBox asks should_render() with this context: the check may be null here.
        check = context['object'].network_check or {}
        return {
            **super().get_context(context),
            'check': check,
            # Kept as ISO 8601 text in the JSON; a datetime shows in the user's time zone like every other time.
            'checked_at': datetime.datetime.fromisoformat(check['checked_at']) if check.get('checked_at') else None,
        }


class DecommissionStageLogPanel(panels.ObjectPanel):
    """Who moved the record to which stage, when, and with what comment."""
    template_name = 'netbox_decommission/panels/stage_log.html'
    title = _('Stage log')

    def get_context(self, context):
        ctx = super().get_context(context)
        colors = DecommissionStatusChoices.colors
        return {
            **ctx,
            'stage_changes': [
                (change, colors.get(change.from_status), colors.get(change.to_status))
                for change in ctx['object'].stage_changes.all()
            ],
        }
