from django.db import migrations


class Migration(migrations.Migration):
    """Decommission.snapshot shadowed NetBox's ChangeLoggingMixin.snapshot() method, breaking edits and deletions."""

    dependencies = [
        ('netbox_decommission', '0001_initial'),
    ]

    operations = [
        migrations.RenameField(
            model_name='decommission',
            old_name='snapshot',
            new_name='device_snapshot',
        ),
    ]
