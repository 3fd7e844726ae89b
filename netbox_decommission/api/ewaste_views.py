"""
The e-waste report over REST: ``GET ewaste/`` with the page's filters as query parameters answers the rows and their
totals as JSON; ``?format=csv`` (or ``Accept: text/csv``) the same rows and the total as CSV.
"""
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from netbox.api.authentication import IsAuthenticatedOrLoginNotRequired

from .. import ewaste
from ..forms import EwasteReportFilterForm
from ..models import Handover


class EwasteCSVRenderer(BaseRenderer):
    """The report as CSV (ewaste.report_csv). A refusal is answered as JSON (EwasteReportView.handle_exception)."""
    media_type = 'text/csv'
    format = 'csv'
    charset = 'utf-8'

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, str):
            return data.encode(self.charset)
        return JSONRenderer().render(data)


def _row(row):
    return row.as_dict()


class EwasteReportView(APIView):
    """
    Kilograms handed over to disposal vendors, per vendor, site and period, from the hand-overs (handed over or
    closed) the user may view; totals overall, per vendor, per site and per period. Needs the view permission on
    hand-overs.
    """
    queryset = Handover.objects.all()
    permission_classes = (IsAuthenticatedOrLoginNotRequired,)
    renderer_classes = (JSONRenderer, EwasteCSVRenderer)

    @extend_schema(
        parameters=[
            OpenApiParameter('date_from', OpenApiTypes.DATE, description='First day counted (YYYY-MM-DD)'),
            OpenApiParameter('date_to', OpenApiTypes.DATE, description='Last day counted (YYYY-MM-DD)'),
            OpenApiParameter('site_id', OpenApiTypes.INT, many=True, description='Sites (IDs); all when absent'),
            OpenApiParameter('vendor_id', OpenApiTypes.INT, many=True,
                             description='Disposal vendors (storage location IDs); all when absent'),
            OpenApiParameter('period', str, enum=ewaste.PeriodChoices.values(), description='Group by (month)'),
        ],
        responses={200: OpenApiTypes.OBJECT, (200, 'text/csv'): OpenApiTypes.STR},
    )
    def handle_exception(self, exc):
        # A refusal (400, 403) says what is wrong as JSON, whatever format was asked, as every NetBox API answer does.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def get(self, request):
        if not request.user.has_perm('netbox_decommission.view_handover'):
            raise PermissionDenied(_('You need the "view" permission on hand-overs.'))
        params = request.query_params.copy()
        params.pop('format', None)
        form = EwasteReportFilterForm(params)
        if not form.is_valid():
            raise ValidationError({name: [str(m) for m in messages] for name, messages in form.errors.items()})
        report = ewaste.report(request.user, **form.report_filters())
        if getattr(request.accepted_renderer, 'format', None) == 'csv':
            response = Response(ewaste.report_csv(report))
            response['Content-Disposition'] = f'attachment; filename="ewaste-report-{report.period}.csv"'
            return response
        total = report.total
        return Response({
            'period': report.period,
            'rows': [_row(row) for row in report.rows],
            'total': _row(total),
            'partial': report.is_partial,
            'by_vendor': [_row(row) for row in report.by_vendor],
            'by_site': [_row(row) for row in report.by_site],
            'by_period': [_row(row) for row in report.by_period],
        })
