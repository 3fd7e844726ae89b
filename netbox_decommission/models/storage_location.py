from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from netbox.models import PrimaryModel

from ..choices import StorageLocationKindChoices


class StorageLocation(PrimaryModel):
    """A place where a removed server or its components wait: removal zone, storage, warehouse or vendor."""
    name = models.CharField(verbose_name=_('name'), max_length=100)
    kind = models.CharField(
        verbose_name=pgettext_lazy('category', 'kind'), max_length=30, choices=StorageLocationKindChoices
    )
    site = models.ForeignKey(
        to='dcim.Site',
        on_delete=models.PROTECT,
        related_name='decommission_storage_locations',
        verbose_name=_('site'),
    )
    location = models.ForeignKey(
        to='dcim.Location',
        on_delete=models.PROTECT,
        related_name='decommission_storage_locations',
        blank=True,
        null=True,
        verbose_name=_('location'),
    )
    rack = models.ForeignKey(
        to='dcim.Rack',
        on_delete=models.PROTECT,
        related_name='decommission_storage_locations',
        blank=True,
        null=True,
        verbose_name=_('rack'),
    )
    capacity = models.PositiveIntegerField(
        verbose_name=_('capacity'),
        blank=True,
        null=True,
        help_text=_('How many servers or packages the place holds; leave empty for no limit'),
    )

    clone_fields = ('kind', 'site', 'location', 'rack', 'capacity')

    class Meta:
        ordering = ('site', 'name')
        verbose_name = _('storage location')
        verbose_name_plural = _('storage locations')
        constraints = (
            models.UniqueConstraint(
                fields=('site', 'name'),
                name='netbox_decommission_storagelocation_unique_site_name',
                violation_error_message=_('A storage location with this name already exists at this site; '
                                          'choose another name.'),
            ),
        )

    def __str__(self):
        return self.name

    def get_kind_color(self):
        return StorageLocationKindChoices.colors.get(self.kind)

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as e:
            # Django keys a constraint over two fields to no field; the name is what to change, so that forms,
            # imports and the API name it.
            (unique_name,) = self._meta.constraints
            taken = unique_name.get_violation_error_message()
            errors = e.update_error_dict({})
            for error in list(errors.get(NON_FIELD_ERRORS, ())):
                if error.message == taken:
                    errors[NON_FIELD_ERRORS].remove(error)
                    errors.setdefault('name', []).append(error)
            raise ValidationError({field: messages for field, messages in errors.items() if messages}) from None

    def clean(self):
        super().clean()
        errors = {}
        if self.site_id and self.location_id and self.location.site_id != self.site_id:
            errors['location'] = _(
                'Location "{location}" belongs to site "{other}", not to "{site}". Choose a location of site '
                '"{site}" or leave it empty.'
            ).format(location=self.location, other=self.location.site, site=self.site)
        if self.site_id and self.rack_id and self.rack.site_id != self.site_id:
            errors['rack'] = _(
                'Rack "{rack}" belongs to site "{other}", not to "{site}". Choose a rack of site "{site}" or '
                'leave it empty.'
            ).format(rack=self.rack, other=self.rack.site, site=self.site)
        elif self.location_id and self.rack_id and not self.location.get_descendants(include_self=True).filter(
            pk=self.rack.location_id
        ).exists():
            errors['rack'] = _(
                'Rack "{rack}" is not in location "{location}". Choose a rack in that location or clear the '
                'location.'
            ).format(rack=self.rack, location=self.location)
        if errors:
            raise ValidationError(errors)
