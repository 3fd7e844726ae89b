"""
The web UI of the workflow's moves: one view per entry of the table of moves, at /decommissions/<pk>/<move>/. GET
shows the move's form; POST calls the move's service function and shows its WorkflowError as it is. No rule of the
procedure is checked here.
"""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from netbox.views.generic.base import BaseObjectView
from utilities.forms import restrict_form_fields
from utilities.permissions import get_permission_for_model
from utilities.querydict import normalize_querydict
from utilities.views import GetReturnURLMixin, register_model_view

from ..forms.workflow import move_form
from ..models import Decommission
from ..ui.workflow_state import workflow_state
from ..workflow import MOVES, WorkflowError, forget_refused_change

__all__ = (
    'DecommissionMoveView',
)


class DecommissionMoveView(GetReturnURLMixin, BaseObjectView):
    """
    One workflow move. GET shows its form; POST runs the move and redirects, or on a WorkflowError shows the form
    again with the error, nothing changed. Made for each move of the table (``move``, a workflow.table.Move).
    """
    queryset = Decommission.objects.select_related('head', 'responsible', 'site', 'storage_location')
    template_name = 'netbox_decommission/decommission_action.html'
    move = None
    form = None

    def get_required_permission(self):
        # "sign" or "change"; ObjectPermissionRequiredMixin answers 403 without it and restricts the queryset to the
        # objects the user holds it on (404 for the others).
        return get_permission_for_model(Decommission, self.move.permission)

    def get_success_message(self, before, decommission, data):
        if self.move.done_message:
            return self.move.done_message(before, decommission, data)
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
            'move': self.move,
            'return_url': return_url,
            'workflow': workflow_state(decommission, request.user, return_url),
            'workflow_error': workflow_error,
            'preview': self.move.preview(decommission) if self.move.preview and decommission.status in
            self.move.made_from else None,
            # The move's warnings about the record as it stands (the schedule move: clashing windows).
            'warnings': self.move.warnings_for(decommission, request.user) if decommission.status in
            self.move.made_from else [],
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
            updated = self.move.perform(decommission, request.user, form.cleaned_data)
        except WorkflowError as e:
            forget_refused_change(self)
            messages.error(request, e.message)
            if e.field in form.fields:
                form.add_error(e.field, e.message)
                return self.render_form(request, decommission, form)
            return self.render_form(request, decommission, form, workflow_error=e.message)

        messages.success(request, self.get_success_message(before, updated, form.cleaned_data))
        for warning in self.move.warnings_for(updated, request.user):
            messages.warning(request, warning)
        # Retirement may have deleted the device whose page sent us here: go to the record, which outlives it.
        if updated.device_id is None and decommission.device_id is not None:
            return redirect(updated.get_absolute_url())
        return redirect(self.get_return_url(request, updated))


def register_move_view(move):
    """The view of ``move`` at /decommissions/<pk>/<move.name>/, named decommission_<move.name>."""
    view = type(f'Decommission{move.name.title()}View', (DecommissionMoveView,),
                {'move': move, 'form': move_form(move), '__module__': __name__})
    register_model_view(Decommission, move.name, path=move.name)(view)


for move in MOVES.values():
    register_move_view(move)
