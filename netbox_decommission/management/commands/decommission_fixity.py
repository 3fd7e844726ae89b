"""manage.py decommission_fixity: the fixity check of the issued documents (documents/fixity.py), on demand."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from netbox_decommission.documents import fixity
from netbox_decommission.models import Decommission, DocumentFile


class Command(BaseCommand):
    help = (
        'Hash every stored copy of the issued decommission documents again and compare it with the SHA-256 recorded '
        'when it was issued. Prints each copy found altered or missing and a summary; exits with status 1 if any.'
    )

    def add_arguments(self, parser):
        parser.add_argument(
            '--decommission', action='append', default=[], metavar='NUMBER',
            help='Check only the documents of this decommission (e.g. DC-2026-00001); may be given more than once.',
        )
        parser.add_argument('--quiet', action='store_true', help='Print only the problems, not the summary.')

    def handle(self, *args, decommission, quiet, **options):
        files = DocumentFile.objects.all()
        if decommission:
            numbers = set(decommission)
            unknown = numbers - set(Decommission.objects.filter(number__in=numbers).values_list('number', flat=True))
            if unknown:
                raise CommandError(_('No decommission numbered {numbers}.').format(numbers=', '.join(sorted(unknown))))
            files = files.filter(document__decommission__number__in=numbers)
        report = fixity.check(files)
        for finding in report.problems:
            self.stdout.write(self.style.ERROR(finding.message()))
        if not quiet:
            summary = _('Fixity of {total} stored copies: {summary}.').format(
                total=len(report.findings), summary=report.summary())
            style = self.style.ERROR if report.problems else self.style.SUCCESS
            self.stdout.write(style(summary))
        if report.problems:
            # For cron and monitoring; the problems are printed above (a CommandError would print one more line).
            raise SystemExit(1)
