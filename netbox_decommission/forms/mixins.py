from ..serials import refused_serial

__all__ = (
    'ComponentRulesMixin',
)


class ComponentRulesMixin:
    """
    The rules a removed component's form applies before the model's own: a serial number another component in
    custody carries needs "force", and a move to another site needs "transfer" (read by custody.refuse_illegal_move
    in the model's clean(), which runs after the form's).
    """

    def clean(self):
        super().clean()
        # The instance still holds the stored serial: ModelForm copies the cleaned data into it after clean().
        refusal = refused_serial(self.cleaned_data.get('serial'), self.instance, self.cleaned_data.get('force'))
        if refusal:
            self.add_error('serial', refusal)
        self.instance._transfer = self.cleaned_data.get('transfer', False)
        return self.cleaned_data
