"""
The forms of the batch actions (bulk.py): what a batch of decommissions shares. Whether each record may make the
move is decided per record by the workflow.
"""
from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from dcim.models import Device, Rack
from users.models import User
from utilities.forms.fields import DynamicModelChoiceField, DynamicModelMultipleChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import DateTimePicker

from ..choices import DecommissionReasonChoices, DocumentLanguageChoices
from ..models import Decommission
from ..workflow import FIELDS, MOVES
from .workflow import form_field

__all__ = (
    'BulkDocumentsForm',
    'BulkMoveForm',
    'BulkStartForm',
)


class BulkStartForm(forms.Form):
    devices = DynamicModelMultipleChoiceField(
        label=capfirst(Device._meta.verbose_name_plural), queryset=Device.objects.all(), required=False,
        help_text=_('The devices to decommission'),
    )
    rack = DynamicModelChoiceField(
        label=capfirst(Rack._meta.verbose_name), queryset=Rack.objects.all(), required=False,
        help_text=_('Also decommission every device mounted in this rack'),
    )
    reason = forms.ChoiceField(label=_('Reason'), choices=DecommissionReasonChoices)
    reason_text = forms.CharField(
        label=_('Reason details'), required=False, widget=forms.Textarea(attrs={'rows': 3}),
        help_text=Decommission._meta.get_field('reason_text').help_text,
    )
    head = DynamicModelChoiceField(label=_('Head'), queryset=User.objects.all(), required=False)
    responsible = DynamicModelChoiceField(label=_('Responsible'), queryset=User.objects.all(), required=False)
    executors = DynamicModelMultipleChoiceField(label=_('Executors'), queryset=User.objects.all(), required=False)
    planned_start = forms.DateTimeField(label=_('Planned start'), required=False, widget=DateTimePicker())
    planned_end = forms.DateTimeField(label=_('Planned end'), required=False, widget=DateTimePicker())

    fieldsets = (
        FieldSet('devices', 'rack', name=capfirst(Device._meta.verbose_name_plural)),
        FieldSet('reason', 'reason_text', name=_('Decommission')),
        FieldSet('head', 'responsible', 'executors', name=_('People')),
        FieldSet('planned_start', 'planned_end', name=_('Planned window')),
    )

    def clean(self):
        data = super().clean()
        if not data.get('devices') and not data.get('rack'):
            raise forms.ValidationError(_('Choose the devices to decommission, or a rack.'))
        return data

    def selected_devices(self, user):
        """The chosen devices and those mounted in the chosen rack, as far as the user may see them."""
        data = self.cleaned_data
        devices = Device.objects.restrict(user, 'view').filter(pk__in=[d.pk for d in data.get('devices') or ()])
        if data.get('rack'):
            devices = devices | Device.objects.restrict(user, 'view').filter(rack=data['rack'])
        return devices.distinct()


class BulkMoveForm(forms.Form):
    """One workflow move for every selected decommission, with the fields of every move of the table."""
    pk = forms.ModelMultipleChoiceField(queryset=Decommission.objects.all(), widget=forms.MultipleHiddenInput())
    move = forms.ChoiceField(label=_('Workflow move'), choices=[(name, move.label) for name, move in MOVES.items()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields['comment'] = form_field(FIELDS['comment'], required=False)
        fieldsets = [FieldSet('move', 'comment', name=_('Workflow move'))]
        for move in MOVES.values():
            for spec in move.fields:
                # Only the chosen move's fields apply; its service function says what is missing.
                self.fields[spec.name] = form_field(spec, required=False)
                if spec.batch_help_text:
                    self.fields[spec.name].help_text = spec.batch_help_text
            if move.fields:
                fieldsets.append(FieldSet(*(spec.name for spec in move.fields), name=move.label))
        self.fieldsets = fieldsets

    def move_params(self):
        """The moves' parameters, as bulk.apply_move takes them (it passes the chosen move only its own)."""
        return {name: value for name, value in self.cleaned_data.items() if name not in ('pk', 'move')}


class BulkDocumentsForm(forms.Form):
    pk = forms.ModelMultipleChoiceField(queryset=Decommission.objects.all(), widget=forms.MultipleHiddenInput())
    languages = forms.MultipleChoiceField(
        label=_('Document languages'), choices=DocumentLanguageChoices, widget=forms.CheckboxSelectMultiple(),
        initial=[value for value, _label in DocumentLanguageChoices.CHOICES],
    )

    fieldsets = (
        FieldSet('languages', name=_('Documents')),
    )
