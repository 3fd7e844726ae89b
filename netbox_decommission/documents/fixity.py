"""
Fixity of what was issued: every frozen copy (each DocumentFile: the signed order, application and act, and the
documents issued at closing) is read back from the media storage and hashed again. A copy whose SHA-256 is still
the one recorded when it was frozen is intact; another hash means the file was altered; no file, missing.

What a check found is recorded on each copy (``fixity_state``, ``fixity_checked_at``) with one UPDATE per state
rather than a save per copy: it is an observation of the storage, not an edit of the record, so it neither goes
through the model's save nor floods the change log, and a check of thousands of copies costs three queries.

A copy that enters a problem (intact or never checked before, altered or missing now, or from one problem to the
other) is reported once, when the state changes: a NetBox notification to the users of the group
``fixity_notify_group`` and the event ``netbox_decommission.document_fixity_failed`` for event rules. The same
problem found again by the next runs is not reported again (the daily job would otherwise notify the same people of
the same file every day); the command and the job still list it on every run, and the record's page and the REST
API show it until the copy is restored.
"""
import hashlib
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import FixityStateChoices as State
from ..events import emit_fixity_failure
from ..models import DocumentFile
from .issuing import missing_copies, stored_path

__all__ = (
    'Finding',
    'FixityReport',
    'check',
    'copy_problems',
)

# Read in pieces: a frozen copy is small, but a check reads every copy ever issued.
CHUNK_SIZE = 1024 * 1024

PROBLEMS = (State.STATE_ALTERED, State.STATE_MISSING)


@dataclass(frozen=True)
class Finding:
    """What a check found of one copy."""
    file: DocumentFile
    state: str
    # The SHA-256 of the stored file as read now; None when there is no file to read.
    found_sha256: str | None
    # The state the previous check recorded ('' if never checked).
    previous_state: str

    @property
    def is_problem(self):
        return self.state in PROBLEMS

    @property
    def is_new_problem(self):
        """A problem the previous check did not record: the one time it is notified."""
        return self.is_problem and self.state != self.previous_state

    @property
    def path(self):
        return stored_path(self.file)

    def message(self):
        document = self.file.document
        names = {
            'document': str(document.get_kind_display()).lower(), 'number': document.number,
            'decommission': document.decommission.number, 'language': self.file.get_language_display(),
            'expected': self.file.sha256, 'found': self.found_sha256, 'path': self.path,
        }
        if self.state == State.STATE_MISSING:
            return _('{decommission}: the {document} {number} ({language}) is missing: no file at {path} '
                     '(SHA-256 {expected}).').format(**names)
        return _('{decommission}: the {document} {number} ({language}) was altered: {path} has SHA-256 {found}, '
                 'issued as {expected}.').format(**names)


@dataclass
class FixityReport:
    findings: list

    def count(self, state):
        return sum(1 for finding in self.findings if finding.state == state)

    @property
    def counts(self):
        return {state: self.count(state) for state in State.values()}

    def summary(self):
        return _('{intact} intact, {altered} altered, {missing} missing').format(**self.counts)

    @property
    def problems(self):
        return [finding for finding in self.findings if finding.is_problem]


def stored_sha256(frozen):
    """The SHA-256 of the copy's file as stored now, or None when the storage has no such file."""
    digest = hashlib.sha256()
    try:
        with frozen.file.storage.open(frozen.file.name, 'rb') as f:
            while chunk := f.read(CHUNK_SIZE):
                digest.update(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def classify(frozen):
    found = stored_sha256(frozen)
    if found is None:
        state = State.STATE_MISSING
    elif found == frozen.sha256:
        state = State.STATE_INTACT
    else:
        state = State.STATE_ALTERED
    return Finding(file=frozen, state=state, found_sha256=found, previous_state=frozen.fixity_state)


def check(files=None):
    """
    Hash every frozen copy (or those of ``files``, a DocumentFile queryset), record what was found and report each
    new problem (notification and event). Returns the FixityReport of every copy checked; the caller (the command,
    the job) prints or logs the problems.
    """
    if files is None:
        files = DocumentFile.objects.all()
    files = files.select_related('document__decommission').order_by('document__decommission__number', 'pk')
    findings = [classify(frozen) for frozen in files.iterator(chunk_size=500)]
    checked_at = timezone.now()
    for state in State.values():
        pks = [finding.file.pk for finding in findings if finding.state == state]
        if pks:
            DocumentFile.objects.filter(pk__in=pks).update(fixity_state=state, fixity_checked_at=checked_at)
    for finding in findings:
        finding.file.fixity_state, finding.file.fixity_checked_at = finding.state, checked_at
        if finding.is_new_problem:
            emit_fixity_failure(finding, checked_at)
    return FixityReport(findings)


def altered_copy_message(frozen):
    document = frozen.document
    return _(
        'The {document} {number} ({language}) was altered after it was issued: the fixity check of {checked_at} found '
        'that {name} no longer has the SHA-256 {sha256} recorded when it was frozen. Do not hand it out; restore the '
        "file from the backup of NetBox's media folder to {path} and run manage.py decommission_fixity again."
    ).format(document=str(document.get_kind_display()).lower(), number=document.number,
             language=frozen.get_language_display(), checked_at=timezone.localtime(frozen.fixity_checked_at)
             .strftime('%Y-%m-%d %H:%M'), name=frozen.file.name, sha256=frozen.sha256, path=stored_path(frozen))


def copy_problems(document):
    """
    {language: (state, message)} for each frozen copy of ``document`` that is not as issued: missing from the storage
    now (issuing.missing_copies, asked on every call) or found altered by the last fixity check (reading every file on
    each page view would be too slow).
    """
    problems = {frozen.language: (State.STATE_ALTERED, altered_copy_message(frozen)) for frozen in document.files.all()
                if frozen.fixity_state == State.STATE_ALTERED}
    for language, message in missing_copies(document).items():
        problems[language] = (State.STATE_MISSING, message)
    return problems
