from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from netbox.views.generic.base import BaseObjectView
from utilities.permissions import get_permission_for_model

from .. import ewaste
from ..forms import EwasteReportFilterForm
from ..models import Handover

__all__ = (
    'EwasteReportView',
)


def csv_response(report):
    """The report as a CSV download (ewaste.report_csv)."""
    response = HttpResponse(ewaste.report_csv(report), content_type='text/csv; charset=utf-8')
    response['Content-Disposition'] = f'attachment; filename="ewaste-report-{report.period}.csv"'
    return response


def bars(rows, label):
    """A bar chart's bars: each row's label, kilograms, and length in percent of the largest."""
    largest = max((row.kg for row in rows), default=0)
    return [
        {'label': label(row), 'row': row, 'percent': round(100 * row.kg / largest, 1) if largest else 0}
        for row in rows
    ]


class EwasteReportView(BaseObjectView):
    """
    The e-waste report (ewaste.py): kilograms handed over to disposal vendors per vendor, site and period, with a
    filter, a bar chart, totals and the CSV export (``?export=csv``). Needs the view permission on hand-overs.
    """
    queryset = Handover.objects.all()
    template_name = 'netbox_decommission/ewaste_report.html'

    def get_required_permission(self):
        return get_permission_for_model(Handover, 'view')

    def get(self, request):
        params = request.GET.copy()
        export = params.pop('export', None)
        form = EwasteReportFilterForm(params or None)
        if form.is_bound and not form.is_valid():
            return render(request, self.template_name, {'form': form, 'report': None}, status=400)
        filters = form.report_filters() if form.is_bound else {}
        report = ewaste.report(request.user, **filters)
        if export == ['csv']:
            return csv_response(report)
        csv_params = request.GET.copy()
        csv_params['export'] = 'csv'
        return render(request, self.template_name, {
            'form': form,
            'report': report,
            'period_bars': bars(report.by_period, lambda row: row.period),
            'vendor_bars': bars(report.by_vendor, lambda row: row.vendor.name),
            'csv_query': csv_params.urlencode(),
            'title': _('E-waste report'),
        })
