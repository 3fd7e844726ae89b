from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = (
    'DocumentVerifyForm',
)


class DocumentVerifyForm(forms.Form):
    file = forms.FileField(
        label=_('PDF'),
        help_text=_('The order, application or act to check, as downloaded or received'),
        error_messages={'required': _('Choose the PDF to verify.')},
    )
