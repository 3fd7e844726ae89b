"""
Deleting cables with the change records, events and cable paths NetBox 4.7 leaves, in batches.

Mirrors NetBox 4.7.3's cable deletion: ``dcim/models/cables.py`` (``CableQuerySet.delete``, which marks the cables as
being deleted through ``Cable._track_deletion``; ``CablePath.retrace`` and ``CablePath.delete``) and the receivers
of ``dcim/signals.py``: ``nullify_connected_endpoints``, which for each end of a cable being deleted fetches the
cabled object, puts its cable fields back as the cable end had them, takes the change-log snapshot, clears them and
its ``_path`` and saves it (a logged update); and ``retrace_cable_paths``, which then retraces, path by path, every
cable path through the cable. Those receivers changed between 4.7.0 and 4.7.2 (4.7.0 logs no update of the ends), so
this fast path runs only on the releases whose ``fast_paths`` in ``netbox_releases.json`` name ``cable_deletion``;
on any other it is ``deletion.delete_logged``, that is NetBox's own cable deletion with its change records batched.
tests/test_batched_cable_deletion.py deletes the same cables both ways and compares the records and the paths.

Here the cables' and their ends' deletions are recorded as ``delete_logged`` records them. Then the paths that
start at an end of a deleted cable, which NetBox's retrace finds without a cable and deletes, are deleted at once;
the cables are deleted without being marked, so that NetBox's receivers only clear the ends' cable fields and
retrace what is left (paths from elsewhere through the cables, across patch panels); and the ends' logged updates
are written as NetBox's receiver writes them, from the ends fetched once per model.
"""
import itertools
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, prefetch_related_objects

from dcim.models import Cable, CablePath, CableTermination, PathEndpoint
from dcim.utils import compile_path_node
from netbox.context import current_request

from . import fast_paths
from .deletion import delete_logged, record_and_delete, serialized_many_to_many

__all__ = ('delete_cables',)


def delete_cables(queryset):
    """Delete the queryset's cables, with NetBox's records of it; returns what QuerySet.delete does."""
    request = current_request.get()
    if request is None or not fast_paths('deletion', 'cable_deletion'):
        return delete_logged(queryset)
    return record_and_delete(queryset, request, _delete, prefetch_for_events=_prefetch_for_events)


def _prefetch_for_events(collector):
    """
    What the cables' and their ends' event payloads read, loaded once per model: a cable's payload lists its ends
    (Cable.a_terminations reads cable.terminations), and each end shows its object with that object's device and
    cable.
    """
    cables = list(collector.data.get(Cable, ()))
    prefetch_related_objects(cables, Prefetch('terminations', queryset=CableTermination.objects.prefetch_related(
        'termination')))
    objects = defaultdict(list)
    for end in itertools.chain(collector.data.get(CableTermination, ()),
                               (end for cable in cables for end in cable.terminations.all())):
        if end.termination is not None:
            objects[type(end.termination)].append(end.termination)
    for model, instances in objects.items():
        prefetch_related_objects(instances, *(name for name in ('device', 'cable') if hasattr(model, name)))


def _delete(queryset, collector):
    cables = collector.data.get(Cable)
    if not cables:
        return collector.delete()
    using = collector.using
    ends = list(collector.data.get(CableTermination, ()))
    # As NetBox's receiver finds them: before the paths that start at them go, with their _path still set.
    objects = _cabled_objects(ends, using)
    _delete_dead_paths(cables, ends, using)
    for end in ends:
        # NetBox's receiver reads each end's type; from the content-type cache, not one query per end.
        end.termination_type = ContentType.objects.get_for_id(end.termination_type_id)
    # Not marked as being deleted (Cable._track_deletion): NetBox's receivers then clear the ends' cable fields
    # unlogged, and the logged updates are written below, once per end, as they would have written them.
    deleted = collector.delete()
    # Collector.delete() leaves the ends in the order their post_delete signals went out, NetBox's order.
    _log_ends_released(collector.data.get(CableTermination, ends), objects, using)
    return deleted


def _delete_dead_paths(cables, ends, using):
    """
    The paths that start at an end of the cables: once the cables are gone their origins have no link, and
    CablePath.retrace() deletes them (CablePath.from_origin() finds nothing to trace).
    """
    cable_type = ContentType.objects.get_for_model(Cable)
    cable_nodes = [compile_path_node(cable_type.pk, cable.pk) for cable in cables]
    end_nodes = {compile_path_node(end.termination_type_id, end.termination_id) for end in ends}
    dead = [
        path.pk for path in CablePath.objects.using(using).filter(_nodes__overlap=cable_nodes).only('pk', 'path')
        if path.path and set(path.path[0]) <= end_nodes
    ]
    if dead:
        # Their origins' _path is cleared by the foreign keys' SET_NULL, as CablePath.delete() clears it.
        CablePath.objects.using(using).filter(pk__in=dead).delete()


def _cabled_objects(ends, using):
    """The objects the cable ends connect, by (type id, id), fetched once per model."""
    ids = defaultdict(list)
    for end in ends:
        ids[end.termination_type_id].append(end.termination_id)
    objects = {}
    for type_id, pks in ids.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        # What the receiver fetches with each end (its tags, the device the save re-caches its location from), and
        # the many-to-many fields its change record's snapshots read.
        queryset = model.objects.using(using).filter(pk__in=pks).prefetch_related(*serialized_many_to_many(model))
        if hasattr(model, 'device'):
            queryset = queryset.select_related('device__site', 'device__location', 'device__rack')
        objects.update(((type_id, obj.pk), obj) for obj in queryset)
    return objects


def _log_ends_released(ends, objects, using):
    """NetBox's nullify_connected_endpoints for each end of a cable being deleted, on its object fetched before."""
    for end in ends:
        termination = objects.get((end.termination_type_id, end.termination_id))
        if termination is None:
            continue
        termination.cable_id = end.cable_id
        termination.cable_end = end.cable_end
        termination.cable_connector = end.connector
        termination.cable_positions = end.positions
        termination.snapshot()
        termination.clear_cable_termination(end)
        update_fields = ['cable', 'cable_end', 'cable_connector', 'cable_positions', 'last_updated']
        if isinstance(termination, PathEndpoint):
            termination._path = None
            update_fields.append('_path')
        termination.save(using=using, update_fields=update_fields)
