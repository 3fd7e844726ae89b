"""
The "Harvest from inventory" page of a decommission: the device's inventory items and modules not yet recorded,
to tick and record as removed components in one step. The rules are harvest.py's; this view shows its refusals.
"""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from netbox.views.generic.base import BaseObjectView
from utilities.exceptions import PermissionsViolation
from utilities.permissions import get_permission_for_model
from utilities.views import GetReturnURLMixin, register_model_view

from .. import harvest, workflow
from ..models import Decommission, RemovedComponent
from ..workflow.errors import forget_refused_change

__all__ = (
    'DecommissionHarvestView',
)


def _selection(values):
    """
    The ticked rows: each checkbox is named "pk" (so NetBox's select-all and shift-click work) and carries
    "<source kind>:<id>". Returns the IDs by harvest() argument name.
    """
    selected = {field: [] for field in harvest.SOURCE_FIELDS.values()}
    for value in values:
        source_kind, _sep, pk = value.partition(':')
        if source_kind not in harvest.SOURCE_FIELDS or not pk.isdigit():
            raise workflow.WorkflowError(_('"{value}" is not an inventory item or a module.').format(value=value))
        selected[harvest.SOURCE_FIELDS[source_kind]].append(int(pk))
    return selected


@register_model_view(Decommission, 'harvest', path='harvest')
class DecommissionHarvestView(GetReturnURLMixin, BaseObjectView):
    """GET lists what can be harvested; POST records the ticked rows and goes back to the decommission."""
    queryset = Decommission.objects.select_related('device')
    template_name = 'netbox_decommission/decommission_harvest.html'
    additional_permissions = [get_permission_for_model(RemovedComponent, 'add')]

    def get_required_permission(self):
        return get_permission_for_model(Decommission, 'change')

    def render_page(self, request, decommission, selected=(), force=False, workflow_error=None):
        candidates = harvest.harvestable(decommission, request.user)
        return render(request, self.template_name, {
            'object': decommission,
            'rows': [
                {'candidate': c, 'value': f'{c.source_kind}:{c.pk}', 'checked': f'{c.source_kind}:{c.pk}' in selected}
                for c in candidates
            ],
            'has_duplicates': any(c.duplicates for c in candidates),
            'force': force,
            'accepts_components': harvest.accepts_components(decommission),
            'return_url': self.get_return_url(request, decommission),
            'workflow_error': workflow_error,
        })

    def get(self, request, pk):
        return self.render_page(request, self.get_object(pk=pk))

    def post(self, request, pk):
        decommission = self.get_object(pk=pk)
        values = request.POST.getlist('pk')
        force = bool(request.POST.get('force'))
        try:
            components = harvest.harvest(decommission, request.user, force=force, **_selection(values))
        except workflow.WorkflowError as e:
            return self.refused(request, decommission, values, force, e.message)
        except PermissionsViolation:
            return self.refused(request, decommission, values, force,
                                _('Your permissions do not allow adding these removed components.'))

        messages.success(request, ngettext(
            'Recorded {count} component of {number} from the inventory: {names}.',
            'Recorded {count} components of {number} from the inventory: {names}.',
            len(components),
        ).format(count=len(components), number=decommission.number, names=', '.join(
            [str(c) for c in components[:10]] + ['…'] * (len(components) > 10))))
        return redirect(decommission.get_absolute_url())

    def refused(self, request, decommission, values, force, message):
        # The harvest rolled its transaction back; drop the change events queued before it failed.
        forget_refused_change(self)
        messages.error(request, message)
        return self.render_page(request, decommission, selected=set(values), force=force, workflow_error=message)
