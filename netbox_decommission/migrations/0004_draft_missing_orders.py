from django.db import migrations


def draft_missing_orders(apps, schema_editor):
    """Records created before the workflow existed get the order every new record is drafted with."""
    Decommission = apps.get_model('netbox_decommission', 'Decommission')
    Document = apps.get_model('netbox_decommission', 'Document')
    Document.objects.bulk_create([
        Document(decommission_id=pk, kind='order')
        for pk in Decommission.objects.exclude(documents__kind='order').values_list('pk', flat=True)
    ])


class Migration(migrations.Migration):

    dependencies = [
        ('netbox_decommission', '0003_workflow'),
    ]

    operations = [
        migrations.RunPython(draft_missing_orders, migrations.RunPython.noop),
    ]
