"""
Deleting a server's worth of objects with the change log and the events NetBox writes for them, in batches.

Mirrors NetBox 4.7's pre_delete receiver ``core.signals.handle_deleted_object`` and reads its internals: the set
``core.signals._signals_received.pre_delete`` (objects whose deletion is recorded), ``_prechange_snapshot``
(``netbox.models.features.ChangeLoggingMixin``), the event a deletion queues (``extras.events.enqueue_event``) and
the payload its ``EventContext`` stores (``extras.events.EventContext.freeze_data``), and the models'
``_netbox_private`` flag. Off the verified releases (see
the package's docstring) ``delete_logged`` is a plain ``QuerySet.delete()``, which NetBox logs object by object
itself; tests/test_batched_deletion.py compares both.

NetBox records a deletion in a pre_delete receiver (core.signals.handle_deleted_object), one object at a time: it
serializes the object for the change record, serializes it again through its REST serializer for the event queue,
and looks up, relation by relation, the surviving objects that pointed at it. For a server with hundreds of
interfaces, addresses and parts, those per-object queries are most of what deleting it costs. Here the same
records are written from objects fetched, linked to each other and prefetched once per model and relation, and
the events' payloads serialized a model at a time (NetBox's REST serializers build their fields anew for each
object they serialize alone, which is most of the time a deletion's events take). The
receiver then finds every object already handled: it keeps that set itself, so that an object reached twice in a
cascade is logged once. NetBox's other receivers (protection rules, cable paths, the search cache, notifications)
run as for any deletion, and the deletion itself is Django's.

One difference from NetBox, on purpose: NetBox may log an update of a sibling (say, a LAG member whose LAG is
deleted first) just before the sibling's own deletion, depending on the order the cascade reaches them. Knowing
the whole deletion set up front, this module logs only the deletion.
"""
from collections import UserDict, defaultdict
from operator import attrgetter

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import router
from django.db.models import CASCADE, RESTRICT, QuerySet, prefetch_related_objects
from django.db.models.deletion import Collector
from django.db.models.fields.reverse_related import ManyToManyRel, ManyToOneRel
from django_prometheus.models import model_deletes

from core import signals as core_signals
from core.choices import ObjectChangeActionChoices
from core.events import OBJECT_DELETED
from core.models import ObjectType
from extras.events import EventContext
from netbox.api.exceptions import SerializerNotFound
from netbox.context import current_request, events_queue
from netbox.models.features import ChangeLoggingMixin, has_feature
from utilities.api import get_prefetches_for_serializer, get_serializer_for_model

from . import fast_paths

__all__ = ('delete_logged', 'record_and_delete', 'serialized_many_to_many')


def delete_logged(queryset):
    """Delete the queryset's objects and everything that cascades from them; returns what QuerySet.delete does."""
    request = current_request.get()
    if request is None or not fast_paths('deletion'):
        # Outside a request NetBox logs nothing, so there is nothing to batch.
        return queryset.delete()
    return record_and_delete(queryset, request, _delete)


def _delete(queryset, collector):
    # What QuerySet.delete() would do with a collector of its own; a queryset that does more (NetBox's cables
    # mark themselves as being deleted) deletes itself.
    return collector.delete() if type(queryset).delete is QuerySet.delete else queryset.delete()


def record_and_delete(queryset, request, delete, prefetch_for_events=None):
    """
    Write the change records and the events of the deletion of the queryset's objects and of what cascades from
    them, then call ``delete(queryset, collector)`` to delete them (the collector has them all, linked to one
    another); returns what it returns. ``prefetch_for_events(collector)``, if given, loads what the events' payloads
    read beyond what NetBox's API prefetches for each model.
    """
    collector = Collector(using=router.db_for_write(queryset.model), origin=queryset)
    collector.collect(queryset)
    collector.sort()
    for model, instances in collector.data.items():
        # In the order Collector.delete() sends their pre_delete signals, NetBox's order of records and events.
        collector.data[model] = sorted(instances, key=attrgetter('pk'))
    doomed = {(type(obj), obj.pk): obj for _model, obj in collector.instances_with_model()}
    _link(doomed)
    for model, instances in collector.data.items():
        _prefetch(model, list(instances), _change_record_lookups(model, instances))

    # In NetBox's order: the change records (made from snapshots of the objects as they are), then the survivors
    # let go, then the events, whose payloads show the objects without them.
    handled = _handled_signatures()
    recorded = []
    for model, obj in collector.instances_with_model():
        signature = (ContentType.objects.get_for_model(obj), obj.pk)
        if signature in handled:
            continue
        handled.add(signature)
        recorded.append((model, obj))
        if hasattr(obj, 'to_objectchange'):
            if hasattr(obj, 'snapshot') and not getattr(obj, '_prechange_snapshot', None):
                obj.snapshot()
            change = obj.to_objectchange(ObjectChangeActionChoices.ACTION_DELETE)
            change.user = request.user
            change.request_id = request.id
            change.save()

    _release_survivors(collector, handled)

    for model, instances in collector.data.items():
        _prefetch(model, list(instances), _event_lookups(model))
    if prefetch_for_events is not None:
        prefetch_for_events(collector)
    queue = events_queue.get()
    payloads = _deletion_payloads(recorded)
    for model, obj in recorded:
        _enqueue_deletion(queue, obj, request, payloads)
        model_deletes.labels(model._meta.model_name).inc()
    events_queue.set(queue)
    deleted = delete(queryset, collector)
    _restore_deletion_events(events_queue.get(), payloads)
    return deleted


def _event_key(obj):
    return f'{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}'


def _deletion_payloads(recorded):
    """
    The payloads of the deletions' events (extras.events.serialize_for_event), serialized a model at a time: one
    REST serializer for all of a model's objects builds its fields once, where one per object builds them for each.
    """
    objects = defaultdict(list)
    for model, obj in recorded:
        if has_feature(obj, 'event_rules'):
            objects[model].append(obj)
    payloads = {}
    for model, instances in objects.items():
        serializer = get_serializer_for_model(model)(instances, many=True, context={'request': None})
        payloads.update(zip(map(_event_key, instances), serializer.data, strict=True))
    return payloads


def _enqueue_deletion(queue, obj, request, payloads):
    """
    extras.events.enqueue_event(queue, obj, request, OBJECT_DELETED), with the payload its EventContext.freeze_data
    would serialize given ready.
    """
    key = _event_key(obj)
    if key not in payloads:  # the model has no events (has_feature 'event_rules')
        return
    if key in queue:
        event = queue[key]
        event['snapshots']['postchange'] = None
        event['event_type'] = OBJECT_DELETED
    else:
        event = queue[key] = EventContext(
            object_type=ObjectType.objects.get_for_model(obj),
            object_id=obj.pk,
            object=obj,
            event_type=OBJECT_DELETED,
            snapshots={'prechange': getattr(obj, '_prechange_snapshot', None), 'postchange': None},
            request=request,
            user=request.user,
        )
    UserDict.__setitem__(event, 'data', payloads[key])
    event._serialization_source = None


def _restore_deletion_events(queue, payloads):
    """
    A receiver may save an object while its deletion runs: NetBox's ipam receivers clear a device's primary address
    as the address goes. NetBox enqueues the object's deletion after that update, with the object as the deletion
    found it; enqueued before it here, the deletion's event is put back as NetBox leaves it.
    """
    for key, payload in payloads.items():
        event = queue.get(key)
        if event is None or 'data' in event:  # `in` reads the stored payload without serializing anything
            continue
        event['event_type'] = OBJECT_DELETED
        event['snapshots']['postchange'] = None
        # As EventContext.freeze_data stores a deletion's payload.
        UserDict.__setitem__(event, 'data', payload)
        event._serialization_source = None


def _handled_signatures():
    """The set handle_deleted_object skips objects by: (content type, pk) of those whose deletion is recorded."""
    received = core_signals._signals_received
    if not hasattr(received, 'pre_delete'):
        received.pre_delete = set()
    return received.pre_delete


def _link(doomed):
    """Point the objects' foreign keys at one another in memory, so that no record looks its relatives up."""
    for obj in doomed.values():
        for field in obj._meta.concrete_fields:
            if field.many_to_one and not field.is_cached(obj):
                target = doomed.get((field.related_model, getattr(obj, field.attname)))
                if target is not None:
                    field.set_cached_value(obj, target)
        for field in obj._meta.private_fields:
            if isinstance(field, GenericForeignKey) and not field.is_cached(obj):
                type_id = getattr(obj, field.ct_field + '_id')
                model = ContentType.objects.get_for_id(type_id).model_class() if type_id else None
                target = doomed.get((model, getattr(obj, field.fk_field)))
                if target is not None:
                    field.set_cached_value(obj, target)


def serialized_many_to_many(model):
    """The many-to-many fields serializing an object for its change record reads (tags and the serialized ones)."""
    return [field.name for field in model._meta.local_many_to_many if field.serialize or field.name == 'tags']


def _change_record_lookups(model, instances):
    """What serializing the objects for their change records reads: tags, many-to-many fields, generic relations."""
    return serialized_many_to_many(model) + [
        field.name for field in model._meta.private_fields
        if isinstance(field, GenericForeignKey) and not all(field.is_cached(obj) for obj in instances)
    ]


def _event_lookups(model):
    """What the model's REST serializer reads for an event's payload, as NetBox's API prefetches it for a list."""
    if not has_feature(model, 'event_rules'):
        return []
    try:
        serializer = get_serializer_for_model(model)
    except SerializerNotFound:
        return []
    return get_prefetches_for_serializer(serializer)


def _prefetch(model, instances, lookups):
    if lookups:
        # Fresh caches: the survivors let go in between must not show in the events' payloads.
        for obj in instances:
            for lookup in lookups:
                getattr(obj, '_prefetched_objects_cache', {}).pop(lookup.split('__')[0], None)
        prefetch_related_objects(instances, *dict.fromkeys(lookups))


def _release_survivors(collector, handled):
    """
    As handle_deleted_object does for each deleted object: change-logged objects that stay but point at one
    that goes lose the reference (nullable foreign keys that do not cascade) or the membership (many-to-many),
    each with its own logged update.
    """
    for model, instances in collector.data.items():
        if getattr(model, '_netbox_private', False) or not instances:
            continue
        pks = [obj.pk for obj in instances]
        for relation in model._meta.related_objects:
            related_model = relation.related_model
            if type(relation) not in (ManyToManyRel, ManyToOneRel) or not issubclass(related_model,
                                                                                     ChangeLoggingMixin):
                continue
            is_m2m = type(relation) is ManyToManyRel
            if not is_m2m and (not relation.null or relation.on_delete in (CASCADE, RESTRICT)):
                continue
            name = relation.remote_field.name
            related_type = ContentType.objects.get_for_model(related_model)
            survivors = related_model.objects.filter(**{f'{name}__in': pks}).distinct()
            for survivor in survivors:
                if (related_type, survivor.pk) in handled:
                    continue
                survivor.snapshot()
                if is_m2m:
                    getattr(survivor, name).remove(*getattr(survivor, name).filter(pk__in=pks))
                else:
                    setattr(survivor, name, None)
                    survivor.save()
