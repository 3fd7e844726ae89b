"""
The forms of the batch actions (bulk.py): what a batch of decommissions shares. Whether each record may make the
move is decided per record by the workflow.
"""
import copy

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from dcim.models import Device, Rack
from users.models import User
from utilities.forms import add_blank_choice
from utilities.forms.fields import DynamicModelChoiceField, DynamicModelMultipleChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import DateTimePicker

from ..choices import DecommissionReasonChoices, DocumentKindChoices, DocumentLanguageChoices
from ..models import Decommission
from ..ui.moves import MOVES
from ..workflow import SHUTDOWN_CHECKLIST
from .workflow import (
    BackupForm,
    CancelForm,
    CloseForm,
    DisassembleForm,
    ScheduleForm,
    ShutdownForm,
    SignForm,
    StoreForm,
    WorkflowForm,
)

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


# Each move's parameters, as its own form (forms.workflow) asks for them.
MOVE_FIELDS = {
    'sign': (SignForm, ('role',)),
    'schedule': (ScheduleForm, ('planned_start', 'planned_end')),
    'backup': (BackupForm, ('method', 'target', 'size_gb', 'verified', 'waiver_reason')),
    'shutdown': (ShutdownForm, ('clone_medium',)),
    'disassemble': (DisassembleForm, ()),
    'store': (StoreForm, ('storage_location', 'removed_at')),
    'close': (CloseForm, ()),
    'cancel': (CancelForm, ('reason',)),
}


class BulkMoveForm(forms.Form):
    """One workflow move for every selected decommission, with the fields of each move's own form."""
    pk = forms.ModelMultipleChoiceField(queryset=Decommission.objects.all(), widget=forms.MultipleHiddenInput())
    move = forms.ChoiceField(label=_('Workflow move'), choices=[(name, move.label) for name, move in MOVES.items()])
    document = forms.ChoiceField(
        label=SignForm.base_fields['document'].label, choices=add_blank_choice(DocumentKindChoices), required=False,
        help_text=_("Leave empty to sign the document of each record's current stage"),
    )
    comment = copy.deepcopy(WorkflowForm.base_fields['comment'])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fieldsets = [FieldSet('move', 'comment', name=_('Workflow move'))]
        for name, (form, fields) in MOVE_FIELDS.items():
            for field in fields:
                self.fields[field] = copy.deepcopy(form.base_fields[field])
                # Only the chosen move's fields apply; its workflow function says what is missing.
                self.fields[field].required = False
            if name == 'shutdown':
                for item in SHUTDOWN_CHECKLIST:
                    self.fields[item] = forms.BooleanField(
                        label=capfirst(Decommission._meta.get_field(item).verbose_name), required=False)
                fields = (*SHUTDOWN_CHECKLIST, *fields)
            if name == 'sign':
                fields = (*fields, 'document')
            if fields:
                fieldsets.append(FieldSet(*fields, name=MOVES[name].label))
        self.fieldsets = fieldsets

    def move_params(self):
        """The chosen move's parameters, as bulk.apply_move takes them (it passes each move only its own)."""
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
