"""
What restore leaves to NetBox when it puts rows back under their own IDs: the fields NetBox writes itself on save,
and a module's components, which NetBox would add a second time (restore brings them back from the snapshot).

Mirrors NetBox 4.7's ``dcim/models/modules.py`` (``Module._save_new``), which skips the module type's components
when the instance carries ``_disable_replication``, as ``dcim/forms/common.py`` (``ModuleCommonForm``) sets it;
and NetBox 4.7's private cached columns of ``dcim/models/device_components.py`` (``ComponentModel``: ``_site``,
``_location``, ``_rack``; ``PathEndpoint._path``), written by their models' save() and by cable tracing.
"""
from dcim.models import Module
from utilities.fields import CounterCacheField

from . import fast_paths

__all__ = ('save_module_without_template_components', 'written_by_netbox')

# Set by a cable's save on its ends, or by NetBox's tracing, never by hand.
_CABLE_END_FIELDS = ('cable', 'cable_end', 'mark_connected_peer', 'link_peer_type', 'link_peer_id', 'wireless_link')
# Kept by the ltree triggers of NetBox's tree models (InventoryItem, ModuleBay).
_TREE_FIELDS = ('path', 'sort_path')


def written_by_netbox(model):
    """The fields NetBox writes itself on save (counters, cached copies, cable ends, tree paths)."""
    counters = [f.name for f in model._meta.get_fields() if isinstance(f, CounterCacheField)]
    cached = [f.name for f in model._meta.concrete_fields if f.name.startswith('_')]
    return set(counters + cached + list(_CABLE_END_FIELDS) + list(_TREE_FIELDS))


def _components_of(module):
    """The component rows NetBox's Module._save_new() creates from the module type (one queryset per model)."""
    for relation in Module._meta.related_objects:
        model = relation.related_model
        if relation.field.name == 'module' and hasattr(model, 'device') and model is not Module:
            yield model.objects.filter(module=module)


def save_module_without_template_components(module):
    if fast_paths('recreation'):
        # Mirrors dcim/forms/common.py (ModuleCommonForm.save) and dcim/api/serializers_/devices.py
        # (ModuleSerializer.create) of NetBox 4.7: "replicate components" unticked sets this flag, which
        # dcim/models/modules.py (Module._save_new) reads before creating the module type's components.
        module._disable_replication = True
        module.save()
        return
    # NetBox's public path: the module is created as the UI creates it, components included; those are then
    # deleted as NetBox deletes components (change-logged), before restore brings back the snapshot's own.
    module.save()
    for components in _components_of(module):
        for component in components:
            component.delete()
