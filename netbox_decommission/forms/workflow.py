"""
The forms of the workflow's moves. They only collect what each workflow function takes; whether the move is
allowed, and whether the data satisfies the stage's gate, is decided by workflow.py.
"""
from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from utilities.forms import add_blank_choice
from utilities.forms.fields import DynamicModelChoiceField
from utilities.forms.rendering import FieldSet
from utilities.forms.widgets import DateTimePicker

from ..choices import BackupMethodChoices, DocumentKindChoices, SignatureRoleChoices
from ..models import Decommission, Signature, StorageLocation
from ..workflow import SHUTDOWN_CHECKLIST, SIGNING_STAGE, missing_signers, required_signers

__all__ = (
    'BackupForm',
    'CancelForm',
    'CloseForm',
    'DisassembleForm',
    'ScheduleForm',
    'ShutdownForm',
    'SignForm',
    'StoreForm',
)

COMMENT_HELP = _('Recorded in the stage log')


class WorkflowForm(forms.Form):
    """A move's form: knows the decommission and the acting user, and ends with a comment for the stage log."""
    comment = forms.CharField(
        label=_('Comment'),
        required=False,
        widget=forms.Textarea(attrs={'rows': 3}),
        help_text=COMMENT_HELP,
    )

    fieldsets = (
        FieldSet('comment'),
    )

    def __init__(self, *args, decommission, user, **kwargs):
        self.decommission = decommission
        self.user = user
        super().__init__(*args, **kwargs)


class SignForm(WorkflowForm):
    document = forms.ChoiceField(label=_('Document'), choices=DocumentKindChoices)
    role = forms.ChoiceField(
        label=_('Role'),
        choices=SignatureRoleChoices,
        help_text=_('You sign only in a role the decommission names you in'),
    )
    comment = forms.CharField(
        label=_('Comment'),
        required=False,
        max_length=Signature._meta.get_field('comment').max_length,
        help_text=_('Kept with the signature and recorded in the stage log'),
    )

    fieldsets = (
        FieldSet('document', 'role', 'comment', name=_('Signature')),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The roles this user holds on the record, whichever document names them.
        held = {
            role for kind in DocumentKindChoices.values()
            for role, signer in required_signers(self.decommission, kind)
            if signer is not None and signer.pk == self.user.pk
        }
        # Holding none, the user may still pick one and read the workflow's explanation of why it is refused.
        if held:
            self.fields['role'].choices = [(v, label) for v, label in SignatureRoleChoices if v in held]

        # The document of the current stage, and the first role in which the user still owes it a signature.
        current = next((kind for kind, stage in SIGNING_STAGE.items() if stage == self.decommission.status), None)
        if current and 'document' not in self.initial:
            self.initial['document'] = current
        if current and 'role' not in self.initial:
            document = self.decommission.documents.filter(kind=current).first()
            owed = [role for role, signer in missing_signers(self.decommission, document)
                    if signer is not None and signer.pk == self.user.pk] if document else []
            if owed:
                self.initial['role'] = owed[0]


class ScheduleForm(WorkflowForm):
    planned_start = forms.DateTimeField(label=_('Planned start'), widget=DateTimePicker())
    planned_end = forms.DateTimeField(label=_('Planned end'), widget=DateTimePicker())

    fieldsets = (
        FieldSet('planned_start', 'planned_end', name=_('Planned window of the removal')),
        FieldSet('comment'),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A window entered with the record (or an earlier schedule) is the starting point.
        for name in ('planned_start', 'planned_end'):
            self.initial.setdefault(name, getattr(self.decommission, name))


class BackupForm(WorkflowForm):
    method = forms.ChoiceField(label=_('Method'), choices=add_blank_choice(BackupMethodChoices), required=False)
    target = forms.CharField(
        label=_('Target'),
        required=False,
        max_length=Decommission._meta.get_field('backup_target').max_length,
        help_text=_('Where the backup is kept'),
    )
    size_gb = forms.DecimalField(label=_('Size (GB)'), required=False, min_value=0, max_digits=12, decimal_places=2)
    verified = forms.BooleanField(
        label=_('Restore tested'),
        required=False,
        help_text=_('A restore from this backup was tried and works'),
    )
    waiver_reason = forms.CharField(
        label=_('Waiver reason'),
        required=False,
        widget=forms.Textarea(attrs={'rows': 3}),
        help_text=_('Instead of a backup: why none is needed (e.g. the server holds no data)'),
    )

    fieldsets = (
        FieldSet('method', 'target', 'size_gb', 'verified', name=_('Verified backup')),
        FieldSet('waiver_reason', name=_('Or waive the backup')),
        FieldSet('comment'),
    )


class ShutdownForm(WorkflowForm):
    clone_medium = forms.CharField(
        label=_('Clone medium'),
        required=False,
        max_length=Decommission._meta.get_field('clone_medium').max_length,
        help_text=_('Reliable medium the server was cloned to, if it was cloned'),
    )

    fieldsets = (
        FieldSet(*SHUTDOWN_CHECKLIST, name=_('Checklist')),
        FieldSet('clone_medium', name=pgettext_lazy('backup method', 'Clone')),
        FieldSet('comment'),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One checkbox per item of the workflow's checklist, labelled as the record labels it.
        for item in SHUTDOWN_CHECKLIST:
            self.fields[item] = forms.BooleanField(
                label=capfirst(Decommission._meta.get_field(item).verbose_name), required=False,
            )


class DisassembleForm(WorkflowForm):
    pass


class StoreForm(WorkflowForm):
    storage_location = DynamicModelChoiceField(
        label=_('Storage location'),
        queryset=StorageLocation.objects.all(),
        help_text=_('The removal zone the server was moved to'),
    )
    removed_at = forms.DateTimeField(
        label=_('Actual removal time'),
        required=False,
        widget=DateTimePicker(),
        help_text=_('Leave empty for now'),
    )

    fieldsets = (
        FieldSet('storage_location', 'removed_at', name=_('Server storage')),
        FieldSet('comment'),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The server stays on its site: offer only that site's storage locations.
        site_id = self.decommission.site_id
        if site_id:
            field = self.fields['storage_location']
            field.queryset = field.queryset.filter(site_id=site_id)
            field.widget.add_query_params({'site_id': site_id})
        if self.decommission.storage_location_id:
            self.initial.setdefault('storage_location', self.decommission.storage_location_id)


class CloseForm(WorkflowForm):
    pass


class CancelForm(WorkflowForm):
    reason = forms.CharField(
        label=_('Reason'),
        widget=forms.Textarea(attrs={'rows': 3}),
        help_text=_('Why the server is not decommissioned after all; recorded in the stage log'),
    )

    fieldsets = (
        FieldSet('reason'),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The workflow takes the reason as the stage log's comment; a second box would only confuse.
        del self.fields['comment']
