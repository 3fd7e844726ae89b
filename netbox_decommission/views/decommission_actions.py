"""
The web UI of the workflow: one view per move (sign, schedule, backup, shutdown, disassemble, store, close,
cancel) and the Impact tab. A move's view shows its form; on submit it calls the workflow function and shows its
WorkflowError as it is. No rule of the procedure is checked here.
"""
import copy

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from dcim.choices import (
    CableTypeChoices,
    DeviceStatusChoices,
    InterfaceTypeChoices,
    LinkStatusChoices,
    PowerPortTypeChoices,
)
from ipam.choices import IPAddressRoleChoices, IPAddressStatusChoices, ServiceProtocolChoices
from netbox.views import generic
from netbox.views.generic.base import BaseObjectView
from tenancy.choices import ContactPriorityChoices
from utilities.choices import unpack_grouped_choices
from utilities.forms import restrict_form_fields
from utilities.permissions import get_permission_for_model
from utilities.querydict import normalize_querydict
from utilities.views import GetReturnURLMixin, ViewTab, register_model_view
from virtualization.choices import VirtualMachineStatusChoices

from .. import device_facts, forms, workflow
from ..choices import DocumentKindChoices, SignatureRoleChoices
from ..errors import forget_refused_change
from ..models import Decommission
from ..ui.moves import MOVES, workflow_state

__all__ = (
    'DecommissionBackupView',
    'DecommissionCancelView',
    'DecommissionCloseView',
    'DecommissionDisassembleView',
    'DecommissionImpactView',
    'DecommissionScheduleView',
    'DecommissionShutdownView',
    'DecommissionSignView',
    'DecommissionStoreView',
)


class DecommissionMoveView(GetReturnURLMixin, BaseObjectView):
    """
    One workflow move. GET shows its form; POST calls the workflow and redirects, or on a WorkflowError shows the
    form again with the error, nothing changed. Subclasses name the move and the form and define
    perform(decommission, user, cleaned_data), which runs the workflow move and returns the updated decommission.
    """
    queryset = Decommission.objects.select_related('head', 'responsible', 'site', 'storage_location')
    template_name = 'netbox_decommission/decommission_action.html'
    move = None
    form = None

    @property
    def move_info(self):
        return MOVES[self.move]

    def get_required_permission(self):
        # "sign" or "change"; ObjectPermissionRequiredMixin answers 403 without it and restricts the queryset to the
        # objects the user holds it on (404 for the others).
        return get_permission_for_model(Decommission, self.move_info.permission)

    def get_success_message(self, before, decommission, data):
        return _('{number}: moved to stage "{stage}".').format(
            number=decommission.number, stage=decommission.get_status_display(),
        )

    def get_form(self, request, decommission, data=None):
        form = self.form(
            data=data, decommission=decommission, user=request.user, initial=normalize_querydict(request.GET),
        )
        restrict_form_fields(form, request.user)
        return form

    def render_form(self, request, decommission, form, workflow_error=None):
        return_url = self.get_return_url(request, decommission)
        return render(request, self.template_name, {
            'object': decommission,
            'form': form,
            'move': self.move_info,
            'return_url': return_url,
            'workflow': workflow_state(decommission, request.user, return_url),
            'workflow_error': workflow_error,
        })

    def get(self, request, pk):
        decommission = self.get_object(pk=pk)
        return self.render_form(request, decommission, self.get_form(request, decommission))

    def post(self, request, pk):
        decommission = self.get_object(pk=pk)
        form = self.get_form(request, decommission, data=request.POST)
        if not form.is_valid():
            return self.render_form(request, decommission, form)

        before = decommission.status
        try:
            updated = self.perform(decommission, request.user, form.cleaned_data)
        except workflow.WorkflowError as e:
            forget_refused_change(self)
            messages.error(request, e.message)
            if e.field in form.fields:
                form.add_error(e.field, e.message)
                return self.render_form(request, decommission, form)
            return self.render_form(request, decommission, form, workflow_error=e.message)

        messages.success(request, self.get_success_message(before, updated, form.cleaned_data))
        # Retirement may have deleted the device whose page sent us here: go to the record, which outlives it.
        if updated.device_id is None and decommission.device_id is not None:
            return redirect(updated.get_absolute_url())
        return redirect(self.get_return_url(request, updated))


@register_model_view(Decommission, 'sign', path='sign')
class DecommissionSignView(DecommissionMoveView):
    move = 'sign'
    form = forms.SignForm

    def perform(self, decommission, user, data):
        return workflow.sign(decommission, user, data['document'], data['role'], data['comment'])

    def get_success_message(self, before, decommission, data):
        document = dict(DocumentKindChoices)[data['document']]
        role = dict(SignatureRoleChoices)[data['role']]
        if decommission.status != before:
            return _('Signed the {document} as {role}: the {document} is complete, {number} moved to stage '
                     '"{stage}".').format(document=str(document).lower(), role=str(role).lower(),
                                          number=decommission.number, stage=decommission.get_status_display())
        return _('Signed the {document} of {number} as {role}.').format(
            document=str(document).lower(), number=decommission.number, role=str(role).lower(),
        )


@register_model_view(Decommission, 'schedule', path='schedule')
class DecommissionScheduleView(DecommissionMoveView):
    move = 'schedule'
    form = forms.ScheduleForm

    def perform(self, decommission, user, data):
        return workflow.schedule(decommission, user, data['planned_start'], data['planned_end'], data['comment'])

    def get_success_message(self, before, decommission, data):
        return _('{number}: planned window set; the application is drafted and awaits signing.').format(
            number=decommission.number)


@register_model_view(Decommission, 'backup', path='backup')
class DecommissionBackupView(DecommissionMoveView):
    move = 'backup'
    form = forms.BackupForm

    def perform(self, decommission, user, data):
        return workflow.record_backup(
            decommission, user, method=data['method'] or '', target=data['target'], size_gb=data['size_gb'],
            verified=data['verified'], waiver_reason=data['waiver_reason'], comment=data['comment'],
        )


@register_model_view(Decommission, 'shutdown', path='shutdown')
class DecommissionShutdownView(DecommissionMoveView):
    move = 'shutdown'
    form = forms.ShutdownForm

    def perform(self, decommission, user, data):
        checklist = {item: data[item] for item in workflow.SHUTDOWN_CHECKLIST}
        return workflow.shut_down(
            decommission, user, clone_medium=data['clone_medium'], comment=data['comment'], **checklist,
        )


@register_model_view(Decommission, 'disassemble', path='disassemble')
class DecommissionDisassembleView(DecommissionMoveView):
    move = 'disassemble'
    form = forms.DisassembleForm

    def perform(self, decommission, user, data):
        return workflow.disassemble(decommission, user, data['comment'])


@register_model_view(Decommission, 'store', path='store')
class DecommissionStoreView(DecommissionMoveView):
    move = 'store'
    form = forms.StoreForm

    def perform(self, decommission, user, data):
        return workflow.store(
            decommission, user, data['storage_location'], removed_at=data['removed_at'], comment=data['comment'],
        )

    def get_success_message(self, before, decommission, data):
        return _('{number}: the server is in {location}; the act is drafted and awaits signing.').format(
            number=decommission.number, location=decommission.storage_location)


@register_model_view(Decommission, 'close', path='close')
class DecommissionCloseView(DecommissionMoveView):
    move = 'close'
    form = forms.CloseForm

    def perform(self, decommission, user, data):
        return workflow.close(decommission, user, data['comment'])


@register_model_view(Decommission, 'cancel', path='cancel')
class DecommissionCancelView(DecommissionMoveView):
    move = 'cancel'
    form = forms.CancelForm

    def perform(self, decommission, user, data):
        return workflow.cancel(decommission, user, data['reason'])

    def get_success_message(self, before, decommission, data):
        return _('{number} is cancelled.').format(number=decommission.number)


#
# Impact
#

@register_model_view(Decommission, 'impact', path='impact')
class DecommissionImpactView(generic.ObjectView):
    """What removing the server touches: the live impact report, or what the snapshot kept once it is gone."""
    queryset = Decommission.objects.select_related('device')
    template_name = 'netbox_decommission/decommission_impact.html'
    tab = ViewTab(label=_('Impact'), permission='netbox_decommission.view_decommission', weight=500)

    def get_extra_context(self, request, instance):
        if instance.device_id:
            return {'report': _readable(device_facts.impact_report(instance.device)), 'from_snapshot': False}
        return {'report': _readable(instance.device_snapshot), 'from_snapshot': True}


def _label(choices, value):
    # Some choice sets are grouped (cable types by medium): look the value up among the members.
    return dict(unpack_grouped_choices(choices)).get(value, value)


def _choice(choices, value):
    """A stored choice value as a badge: the label NetBox shows for it, and its color."""
    return {'label': _label(choices, value), 'color': choices.colors.get(value)}


def _readable(report):
    """
    The report (or snapshot) with the labels of its stored choice values. A copy: the snapshot is the record's own
    JSON, and the impact report keeps raw values for the REST API.
    """
    if not report:
        return report
    report = copy.deepcopy(report)
    for cable in report.get('cables', ()):
        cable['status_display'] = _choice(LinkStatusChoices, cable['status'])
        cable['type_display'] = _label(CableTypeChoices, cable['type'])
    for address in report.get('ip_addresses', ()):
        address['status_display'] = _choice(IPAddressStatusChoices, address['status'])
        address['role_display'] = _choice(IPAddressRoleChoices, address['role']) if address['role'] else None
    for vm in report.get('virtual_machines', ()):
        vm['status_display'] = _choice(VirtualMachineStatusChoices, vm['status'])
    for port in report.get('power_ports', ()):
        port['type_display'] = _label(PowerPortTypeChoices, port['type']) if port['type'] else ''
    for contact in report.get('contacts', ()):
        contact['priority_display'] = _label(ContactPriorityChoices, contact['priority']) if contact['priority'] else ''
    for interface in report.get('interfaces', ()):
        interface['type_display'] = _label(InterfaceTypeChoices, interface['type'])
    for service in report.get('services', ()):
        service['protocol_display'] = _label(ServiceProtocolChoices, service['protocol']) if service['protocol'] else ''
    if isinstance(report.get('device'), dict) and 'status' in report['device']:
        report['device']['status_display'] = _choice(DeviceStatusChoices, report['device']['status'])
    return report
