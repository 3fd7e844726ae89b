from django import forms
from django.utils.translation import gettext_lazy as _

__all__ = (
    'DocumentVerifyForm',
)


class DocumentVerifyForm(forms.Form):
    file = forms.FileField(
        label=_('PDF'),
        help_text=_('The document to check (order, application, act, or one issued at closing), as downloaded or '
                    'received'),
        error_messages={'required': _('Choose the PDF to verify.')},
    )
