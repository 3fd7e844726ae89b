from ..serials import duplicate_serial_message, live_duplicates

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
        serial = self.cleaned_data.get('serial')
        if (self.instance.pk is None or 'serial' in self.changed_data) and not self.cleaned_data.get('force'):
            others = live_duplicates(serial, exclude_pk=self.instance.pk)
            if others:
                self.add_error('serial', duplicate_serial_message(serial, others))
        self.instance._transfer = self.cleaned_data.get('transfer', False)
        return self.cleaned_data
