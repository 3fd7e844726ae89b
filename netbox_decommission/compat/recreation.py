"""
Putting a module back under its own ID without NetBox adding its module type's components a second time: restore
brings back the module's components from the snapshot itself.

Mirrors NetBox 4.7's ``dcim/models/modules.py`` (``Module._save_new``), which skips the module type's components
when the instance carries ``_disable_replication``, as ``dcim/forms/common.py`` (``ModuleCommonForm``) sets it.
"""
from dcim.models import Module

from . import fast_paths

__all__ = ('save_module_without_template_components',)


def _components_of(module):
    """The component rows NetBox's Module._save_new() creates from the module type (one queryset per model)."""
    for relation in Module._meta.related_objects:
        model = relation.related_model
        if relation.field.name == 'module' and hasattr(model, 'device') and model is not Module:
            yield model.objects.filter(module=module)


def save_module_without_template_components(module):
    if fast_paths():
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
