"""
The forms of the workflow's moves, made from the table of moves (workflow/table.py): one field per input of a move.
They only collect what the service function takes; whether the move is allowed, and whether the data satisfies the
stage's gate, is decided by the workflow.
"""
from django import forms
from django.utils.text import capfirst

from utilities.forms import add_blank_choice
from utilities.forms.fields import DynamicModelChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import DateTimePicker

from ..models import StorageLocation
from ..workflow.table import FieldKind

__all__ = (
    'MoveForm',
    'form_field',
    'move_form',
)


def form_field(spec, required=None):
    """The form field of one input of a move (workflow.table.Field); ``required`` overrides the spec's."""
    common = {
        'label': capfirst(spec.label), 'help_text': spec.help_text,
        'required': spec.required if required is None else required,
    }
    if spec.kind == FieldKind.TEXT:
        return forms.CharField(max_length=spec.max_length, **common)
    if spec.kind == FieldKind.NOTE:
        return forms.CharField(widget=forms.Textarea(attrs={'rows': 3}), **common)
    if spec.kind == FieldKind.CHOICE:
        choices = spec.choices if common['required'] else add_blank_choice(spec.choices)
        return forms.ChoiceField(choices=choices, **common)
    if spec.kind == FieldKind.FLAG:
        return forms.BooleanField(**common | {'required': False})
    if spec.kind == FieldKind.MOMENT:
        return forms.DateTimeField(widget=DateTimePicker(), **common)
    if spec.kind == FieldKind.AMOUNT:
        return forms.DecimalField(min_value=0, max_digits=12, decimal_places=2, **common)
    if spec.kind == FieldKind.STORAGE_LOCATION:
        return DynamicModelChoiceField(queryset=StorageLocation.objects.all(), **common)
    raise ValueError(f'No form field for the kind {spec.kind!r} of {spec.name!r}')


def fieldsets(fields):
    """One fieldset per group, in the order the fields come."""
    groups = {}
    for spec in fields:
        groups.setdefault(spec.group, []).append(spec.name)
    return tuple(FieldSet(*names, name=group or None) for group, names in groups.items())


class MoveForm(forms.Form):
    """
    The form of one move: knows the decommission and the acting user, starts from the values the move fills in for
    them (which the query string may override), and offers each field what the move scopes it to.
    """
    move = None

    def __init__(self, *args, decommission, user, **kwargs):
        self.decommission = decommission
        self.user = user
        super().__init__(*args, **kwargs)
        if self.move.prefill:
            for name, value in self.move.prefill(decommission, user).items():
                self.initial.setdefault(name, value)
        for spec in self.move.inputs:
            scope = spec.scope(decommission, user) if spec.scope else None
            if scope is None:
                continue
            field = self.fields[spec.name]
            if spec.kind == FieldKind.CHOICE:
                field.choices = [(value, label) for value, label in field.choices if value in scope]
            else:
                field.queryset = field.queryset.filter(**scope)
                field.widget.add_query_params(scope)


def move_form(move):
    """The form class of ``move`` (a workflow.table.Move)."""
    attrs = {spec.name: form_field(spec) for spec in move.inputs}
    attrs |= {'move': move, 'fieldsets': fieldsets(move.inputs), '__module__': __name__}
    return type(f'{move.name.title()}Form', (MoveForm,), attrs)
