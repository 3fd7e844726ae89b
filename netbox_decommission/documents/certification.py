"""
The facts a signed document certifies. Once the order, the application or the act has all its signatures, the
facts it prints can no longer be edited: the edit forms refuse them field by field, the REST API with 409.
"""
from django.utils.translation import gettext as _

from ..choices import DocumentKindChoices as Kind

# The record's fields each document prints (the later documents repeat the earlier ones' facts, which the
# earlier signature has already frozen).
CERTIFIED_FIELDS = {
    Kind.KIND_ORDER: (
        'number', 'device', 'reason', 'reason_text', 'organization', 'head', 'responsible', 'responsible_team',
    ),
    Kind.KIND_APPLICATION: ('planned_start', 'planned_end'),
    Kind.KIND_ACT: ('removed_at', 'storage_location', 'executors'),
}
MANY_TO_MANY = ('executors',)


def certifying_documents(decommission):
    """{field name: the signed document that certifies it}."""
    if decommission.pk is None:
        return {}
    certified = {}
    for document in decommission.documents.filter(signed_at__isnull=False):
        for field in CERTIFIED_FIELDS.get(document.kind, ()):
            certified.setdefault(field, document)
    return certified


def certified_notice(document):
    return _('Certified by the signed {document} {number}; it can no longer be changed.').format(
        document=str(document.get_kind_display()).lower(), number=document.number)


def _comparable(value):
    if hasattr(value, 'all'):
        value = value.all()
    if isinstance(value, (list, tuple, set)) or hasattr(value, 'model'):
        return {getattr(v, 'pk', v) for v in value}
    return getattr(value, 'pk', value)


def refused_changes(decommission, values):
    """
    {field: message} for every certified field whose value in ``values`` ({field name: new value}) differs from
    the stored record. Values may be model instances or primary keys; executors a list or queryset of users.
    """
    certified = certifying_documents(decommission)
    if not certified:
        return {}
    stored = type(decommission).objects.prefetch_related('executors').get(pk=decommission.pk)
    refused = {}
    for field, new_value in values.items():
        document = certified.get(field)
        if document is None:
            continue
        attname = field if field in MANY_TO_MANY else stored._meta.get_field(field).attname
        old_value = getattr(stored, field) if field in MANY_TO_MANY else getattr(stored, attname)
        if _comparable(new_value) != _comparable(old_value):
            refused[field] = _(
                'Certified by the signed {document} {number}: the {field} can no longer be changed. Record a '
                'correction in the journal instead.'
            ).format(document=str(document.get_kind_display()).lower(), number=document.number,
                     field=stored._meta.get_field(field).verbose_name)
    return refused
