from django import forms
from django.utils.translation import gettext_lazy as _

from ..custody import refused_move
from ..serials import refused_serial

__all__ = (
    'ComponentRulesMixin',
    'weight_field',
)


def weight_field(help_text=None):
    """The weight override in kilograms (weights.py), never negative."""
    return forms.DecimalField(
        label=_('Weight (kg)'), min_value=0, max_digits=10, decimal_places=3, required=False,
        help_text=help_text or _("Overrides the weight of the type; leave empty to count the type's weight"),
    )


class ComponentRulesMixin:
    """
    The rules a removed component's form (the edit form, the import) applies before the model's own: a serial
    number another component in custody carries needs "force", and a move to another site needs "transfer".
    """

    def clean(self):
        super().clean()
        # The instance still holds the stored values: ModelForm copies the cleaned data into it after clean().
        refusal = refused_serial(self.cleaned_data.get('serial'), self.instance, self.cleaned_data.get('force'))
        if refusal:
            self.add_error('serial', refusal)
        # An import that updates components may leave the column out: the location then stays as it is.
        if 'storage_location' in self.cleaned_data:
            refusal = refused_move(
                self.instance, self.cleaned_data['storage_location'], self.cleaned_data.get('transfer', False),
                decommission=self.cleaned_data.get('decommission'),
            )
            if refusal:
                self.add_error('storage_location', refusal)
        return self.cleaned_data
