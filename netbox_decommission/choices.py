from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from utilities.choices import ChoiceSet


class StorageLocationKindChoices(ChoiceSet):
    key = 'StorageLocation.kind'

    KIND_REMOVAL_ZONE = 'removal_zone'
    KIND_TEMPORARY_STORAGE = 'temporary_storage'
    KIND_WAREHOUSE = 'warehouse'
    KIND_VENDOR = 'vendor'

    CHOICES = [
        (KIND_REMOVAL_ZONE, _('Removal zone'), 'orange'),
        (KIND_TEMPORARY_STORAGE, _('Temporary storage'), 'yellow'),
        (KIND_WAREHOUSE, _('Warehouse'), 'blue'),
        (KIND_VENDOR, _('Disposal vendor'), 'purple'),
    ]


class DecommissionStatusChoices(ChoiceSet):
    """The workflow stages, in the order the procedure walks them."""
    key = 'Decommission.status'

    STATUS_DRAFT = 'draft'
    STATUS_ORDERED = 'ordered'
    STATUS_SCHEDULED = 'scheduled'
    STATUS_BACKED_UP = 'backed_up'
    STATUS_SHUT_DOWN = 'shut_down'
    STATUS_DISASSEMBLED = 'disassembled'
    STATUS_IN_STORAGE = 'in_storage'
    STATUS_RETIRED = 'retired'
    STATUS_CLOSED = 'closed'
    STATUS_CANCELLED = 'cancelled'
    STATUS_RESTORED = 'restored'

    CHOICES = [
        (STATUS_DRAFT, _('Draft'), 'gray'),
        (STATUS_ORDERED, _('Ordered'), 'cyan'),
        (STATUS_SCHEDULED, _('Scheduled'), 'blue'),
        (STATUS_BACKED_UP, _('Backed up'), 'indigo'),
        (STATUS_SHUT_DOWN, _('Shut down'), 'purple'),
        (STATUS_DISASSEMBLED, _('Disassembled'), 'pink'),
        (STATUS_IN_STORAGE, _('In storage'), 'orange'),
        (STATUS_RETIRED, pgettext_lazy('decommission stage', 'Retired'), 'green'),
        (STATUS_CLOSED, _('Closed'), 'dark'),
        (STATUS_CANCELLED, _('Cancelled'), 'red'),
        (STATUS_RESTORED, pgettext_lazy('decommission stage', 'Restored'), 'teal'),
    ]

    # A record in one of these stages is finished: it no longer holds its device (another may be opened for it).
    FINISHED = (STATUS_CLOSED, STATUS_CANCELLED, STATUS_RESTORED)


class DecommissionReasonChoices(ChoiceSet):
    key = 'Decommission.reason'

    REASON_END_OF_LIFE = 'end_of_life'
    REASON_FAILURE = 'failure'
    REASON_CONSOLIDATION = 'consolidation'
    REASON_MIGRATION = 'migration'
    REASON_CONTRACT_END = 'contract_end'
    REASON_OTHER = 'other'

    CHOICES = [
        (REASON_END_OF_LIFE, pgettext_lazy('decommission reason', 'End of life')),
        (REASON_FAILURE, _('Hardware failure')),
        (REASON_CONSOLIDATION, _('Consolidation')),
        (REASON_MIGRATION, _('Migration')),
        (REASON_CONTRACT_END, _('End of contract')),
        (REASON_OTHER, _('Other')),
    ]


class BackupMethodChoices(ChoiceSet):
    key = 'Decommission.backup_method'

    METHOD_LOCAL = 'local'
    METHOD_NETWORK = 'network'
    METHOD_INCREMENTAL = 'incremental'
    METHOD_CLONE = 'clone'

    CHOICES = [
        (METHOD_LOCAL, _('Local')),
        (METHOD_NETWORK, _('Network')),
        (METHOD_INCREMENTAL, _('Incremental')),
        (METHOD_CLONE, pgettext_lazy('backup method', 'Clone')),
    ]


class ComponentKindChoices(ChoiceSet):
    key = 'RemovedComponent.kind'

    KIND_DISK = 'disk'
    KIND_SSD = 'ssd'
    KIND_MEMORY = 'memory'
    KIND_CPU = 'cpu'
    KIND_PSU = 'psu'
    KIND_NIC = 'nic'
    KIND_HBA = 'hba'
    KIND_GPU = 'gpu'
    KIND_FAN = 'fan'
    KIND_OTHER = 'other'

    CHOICES = [
        (KIND_DISK, _('Hard disk')),
        (KIND_SSD, _('SSD')),
        (KIND_MEMORY, _('Memory module')),
        (KIND_CPU, _('Processor')),
        (KIND_PSU, _('Power supply')),
        (KIND_NIC, _('Network card')),
        (KIND_HBA, _('Host bus adapter')),
        (KIND_GPU, _('GPU')),
        (KIND_FAN, _('Fan')),
        (KIND_OTHER, _('Other')),
    ]


# Kinds that are storage media by nature; any other component can be marked as media by hand.
MEDIA_KINDS = (ComponentKindChoices.KIND_DISK, ComponentKindChoices.KIND_SSD)

# Final dispositions: a component in one of these has left the plugin's custody.
FINAL_COMPONENT_STATUSES = ('transferred', 'reused', 'destroyed', 'recycled')
# A component in one of these is no longer anywhere a storage location holds it (a transferred one is at the vendor).
GONE_COMPONENT_STATUSES = ('reused', 'destroyed', 'recycled')


class ComponentSourceChoices(ChoiceSet):
    SOURCE_INVENTORY_ITEM = 'inventory_item'
    SOURCE_MODULE = 'module'
    SOURCE_MANUAL = 'manual'

    CHOICES = [
        (SOURCE_INVENTORY_ITEM, _('Inventory item')),
        (SOURCE_MODULE, _('Module')),
        (SOURCE_MANUAL, _('Entered by hand')),
    ]


class ComponentConditionChoices(ChoiceSet):
    key = 'RemovedComponent.condition'

    CONDITION_UNKNOWN = 'unknown'
    CONDITION_OK = 'ok'
    CONDITION_DAMAGED = 'damaged'
    CONDITION_FAULTY = 'faulty'

    CHOICES = [
        (CONDITION_UNKNOWN, _('Not inspected'), 'gray'),
        (CONDITION_OK, _('OK'), 'green'),
        (CONDITION_DAMAGED, _('Damaged'), 'orange'),
        (CONDITION_FAULTY, _('Faulty'), 'red'),
    ]


class ComponentStatusChoices(ChoiceSet):
    key = 'RemovedComponent.status'

    STATUS_REMOVED = 'removed'
    STATUS_PACKED = 'packed'
    STATUS_STORED = 'stored'
    STATUS_TRANSFERRED = 'transferred'
    STATUS_REUSED = 'reused'
    STATUS_DESTROYED = 'destroyed'
    # Set by a disposal vendor's certificate of recycling (handovers/), never by hand.
    STATUS_RECYCLED = 'recycled'

    CHOICES = [
        (STATUS_REMOVED, _('Removed'), 'gray'),
        (STATUS_PACKED, _('Packed'), 'blue'),
        (STATUS_STORED, _('Stored'), 'cyan'),
        (STATUS_TRANSFERRED, _('Transferred'), 'purple'),
        (STATUS_REUSED, _('Reused'), 'green'),
        (STATUS_DESTROYED, _('Destroyed'), 'red'),
        (STATUS_RECYCLED, _('Recycled'), 'dark'),
    ]


class SanitizationMethodChoices(ChoiceSet):
    """Media sanitization categories of NIST SP 800-88."""
    key = 'RemovedComponent.sanitization_method'

    METHOD_CLEAR = 'clear'
    METHOD_PURGE = 'purge'
    METHOD_DESTROY = 'destroy'

    CHOICES = [
        (METHOD_CLEAR, pgettext_lazy('NIST SP 800-88', 'Clear'), 'yellow'),
        (METHOD_PURGE, _('Purge'), 'orange'),
        (METHOD_DESTROY, _('Destroy'), 'red'),
    ]


class SanitizationStateChoices(ChoiceSet):
    """Where a storage medium stands with sanitization (derived from its fields; used by the filters)."""
    STATE_NOT_MEDIA = 'not_media'
    STATE_PENDING = 'pending'
    STATE_DEFERRED = 'deferred'
    STATE_SANITIZED = 'sanitized'
    STATE_VERIFIED = 'verified'

    CHOICES = [
        (STATE_NOT_MEDIA, _('Not a storage medium'), 'gray'),
        (STATE_PENDING, _('Not sanitized'), 'red'),
        (STATE_DEFERRED, _('Sealed for later sanitization'), 'orange'),
        (STATE_SANITIZED, _('Sanitized, not verified'), 'yellow'),
        (STATE_VERIFIED, _('Sanitized and verified'), 'green'),
    ]


class DocumentKindChoices(ChoiceSet):
    """
    The documents of a decommission: the three the procedure has signed (order, application, act), and the three
    issued when it is closed (the report of the whole process, the media sanitization certificate or act, and the
    extract from the event log).
    """
    KIND_ORDER = 'order'
    KIND_APPLICATION = 'application'
    KIND_ACT = 'act'
    KIND_REPORT = 'report'
    KIND_SANITIZATION = 'sanitization'
    KIND_EXTRACT = 'extract'

    CHOICES = [
        (KIND_ORDER, pgettext_lazy('document', 'Order')),
        (KIND_APPLICATION, pgettext_lazy('document', 'Application')),
        (KIND_ACT, pgettext_lazy('document', 'Act')),
        (KIND_REPORT, pgettext_lazy('document', 'Decommission report')),
        (KIND_SANITIZATION, pgettext_lazy('document', 'Media sanitization certificate')),
        (KIND_EXTRACT, pgettext_lazy('document', 'Event log extract')),
    ]

    # Signed by the people the record names; the others are issued by NetBox when the record is closed.
    SIGNED = (KIND_ORDER, KIND_APPLICATION, KIND_ACT)
    # In the order they are issued: the act of destruction names the extract, its attachment; the report comes
    # last, as it lists the others with their SHA-256.
    ISSUED_AT_CLOSE = (KIND_EXTRACT, KIND_SANITIZATION, KIND_REPORT)


class SignedDocumentKindChoices(ChoiceSet):
    """The documents people sign (what the sign move takes)."""
    CHOICES = [choice for choice in DocumentKindChoices.CHOICES if choice[0] in DocumentKindChoices.SIGNED]


class FixityStateChoices(ChoiceSet):
    """What the last fixity check found of a stored copy (documents/fixity.py)."""
    STATE_INTACT = 'intact'
    STATE_ALTERED = 'altered'
    STATE_MISSING = 'missing'

    CHOICES = [
        (STATE_INTACT, _('Intact'), 'green'),
        (STATE_ALTERED, _('Altered'), 'red'),
        (STATE_MISSING, _('Missing'), 'red'),
    ]


class MediaDestinationChoices(ChoiceSet):
    """Where a sanitized medium goes, in the terms of the NIST SP 800-88 sample certificate."""
    DESTINATION_INTERNAL_REUSE = 'internal_reuse'
    DESTINATION_EXTERNAL_REUSE = 'external_reuse'
    DESTINATION_RECYCLING = 'recycling_facility'
    DESTINATION_MANUFACTURER = 'manufacturer'
    DESTINATION_OTHER = 'other'

    CHOICES = [
        (DESTINATION_INTERNAL_REUSE, _('Internal reuse')),
        (DESTINATION_EXTERNAL_REUSE, _('External reuse')),
        (DESTINATION_RECYCLING, _('Recycling facility')),
        (DESTINATION_MANUFACTURER, _('Manufacturer')),
        (DESTINATION_OTHER, pgettext_lazy('media destination', 'Other')),
    ]


class DashboardPeriodChoices(ChoiceSet):
    """The periods the dashboard's "This period" widget counts over (dashboard/figures.py: period_dates)."""
    PERIOD_THIS_MONTH = 'this_month'
    PERIOD_LAST_MONTH = 'last_month'
    PERIOD_LAST_30_DAYS = 'last_30_days'
    PERIOD_THIS_QUARTER = 'this_quarter'
    PERIOD_THIS_YEAR = 'this_year'

    CHOICES = [
        (PERIOD_THIS_MONTH, _('This month')),
        (PERIOD_LAST_MONTH, _('Last month')),
        (PERIOD_LAST_30_DAYS, _('Last 30 days')),
        (PERIOD_THIS_QUARTER, _('This quarter')),
        (PERIOD_THIS_YEAR, _('This year')),
    ]


class DocumentLanguageChoices(ChoiceSet):
    """The languages documents are rendered in (plugin_settings.DOCUMENT_LANGUAGES)."""
    LANGUAGE_RU = 'ru'
    LANGUAGE_EN = 'en'

    CHOICES = [
        (LANGUAGE_RU, _('Russian')),
        (LANGUAGE_EN, _('English')),
    ]


class SignatureRoleChoices(ChoiceSet):
    """The capacity in which a person signs a document."""
    ROLE_HEAD = 'head'
    ROLE_RESPONSIBLE = 'responsible'
    ROLE_EXECUTOR = 'executor'

    CHOICES = [
        (ROLE_HEAD, pgettext_lazy('signature role', 'Head')),
        (ROLE_RESPONSIBLE, pgettext_lazy('signature role', 'Responsible')),
        (ROLE_EXECUTOR, pgettext_lazy('signature role', 'Executor')),
    ]


class HandoverStatusChoices(ChoiceSet):
    """The life of a hand-over to a disposal vendor (handovers/)."""
    key = 'Handover.status'

    STATUS_PLANNED = 'planned'
    STATUS_HANDED_OVER = 'handed_over'
    STATUS_CLOSED = 'closed'

    CHOICES = [
        (STATUS_PLANNED, _('Planned'), 'blue'),
        (STATUS_HANDED_OVER, _('Handed over'), 'purple'),
        (STATUS_CLOSED, _('Closed'), 'dark'),
    ]


class ReconciliationStateChoices(ChoiceSet):
    """Where one item of a hand-over stands against the vendor's certificate."""
    key = 'HandoverItem.reconciliation'

    STATE_PENDING = 'pending'
    STATE_MATCHED = 'matched'
    STATE_MISSING = 'missing'
    STATE_EXCEPTION = 'exception'

    CHOICES = [
        (STATE_PENDING, _('Awaiting the certificate'), 'gray'),
        (STATE_MATCHED, _('Matched'), 'green'),
        (STATE_MISSING, _('Missing from the certificate'), 'red'),
        (STATE_EXCEPTION, _('Closed by exception'), 'orange'),
    ]


class CertificateMethodChoices(ChoiceSet):
    """What a disposal vendor's certificate says it did with an item."""
    key = 'HandoverItem.certificate_method'

    METHOD_DESTROYED = 'destroyed'
    METHOD_RECYCLED = 'recycled'

    CHOICES = [
        (METHOD_DESTROYED, _('Destroyed')),
        (METHOD_RECYCLED, _('Recycled')),
    ]
