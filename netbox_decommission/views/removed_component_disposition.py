"""The final disposition of a removed component in the web UI; the rules live in disposition.py."""
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from netbox.views.generic.base import BaseObjectView
from utilities.forms import restrict_form_fields
from utilities.permissions import get_permission_for_model
from utilities.views import GetReturnURLMixin, register_model_view

from .. import disposition, forms
from ..models import RemovedComponent
from ..workflow import WorkflowError
from ..workflow.errors import forget_refused_change

__all__ = (
    'RemovedComponentDisposeView',
)


@register_model_view(RemovedComponent, 'dispose', path='dispose')
class RemovedComponentDisposeView(GetReturnURLMixin, BaseObjectView):
    queryset = RemovedComponent.objects.select_related('decommission')
    template_name = 'netbox_decommission/removedcomponent_dispose.html'

    def get_required_permission(self):
        return get_permission_for_model(RemovedComponent, 'change')

    def _render(self, request, component, form):
        return render(request, self.template_name, {
            'object': component, 'form': form, 'return_url': self.get_return_url(request, component),
        })

    def _form(self, request, data=None):
        form = forms.DispositionForm(data=data, initial=request.GET or None)
        restrict_form_fields(form, request.user)
        return form

    def get(self, request, pk):
        return self._render(request, self.get_object(pk=pk), self._form(request))

    def post(self, request, pk):
        component = self.get_object(pk=pk)
        form = self._form(request, data=request.POST)
        if not form.is_valid():
            return self._render(request, component, form)
        try:
            component = disposition.dispose(component, request.user, form.cleaned_data)
        except WorkflowError as e:
            forget_refused_change(self)
            if e.field in form.fields:
                form.add_error(e.field, e.message)
            else:
                messages.error(request, e.message)
            return self._render(request, component, form)
        messages.success(request, _('{component}: {status}.').format(
            component=component, status=component.get_status_display()))
        return redirect(component.get_absolute_url())
