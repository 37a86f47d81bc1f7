from tortoise import migrations
from tortoise.migrations import operations as ops
from app.enums import BulkAction, BulkJobStatus, Role
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_sched')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BulkJob',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', null=True, db_constraint=True, to_field='id', related_name='bulk_jobs', on_delete=OnDelete.CASCADE)),
                ('api_key', fields.ForeignKeyField('models.ApiKey', source_field='api_key_id', null=True, db_constraint=True, to_field='id', related_name='bulk_jobs', on_delete=OnDelete.SET_NULL)),
                ('key_name', fields.CharField(max_length=255)),
                ('role', fields.IntEnumField(description='VIEWER: 0\nOPERATOR: 1\nADMIN: 2\nSUPERADMIN: 3', enum_type=Role, generated=False)),
                ('initiated_by', fields.CharField(max_length=255)),
                ('action', fields.CharEnumField(description='CANCEL: CANCEL\nTERMINATE: TERMINATE\nPAUSE: PAUSE\nRESUME: RESUME\nRETRY: RETRY\nRESTART: RESTART', enum_type=BulkAction, max_length=16)),
                ('status', fields.CharEnumField(default=BulkJobStatus.PENDING, description='PENDING: PENDING\nRUNNING: RUNNING\nCOMPLETED: COMPLETED\nCANCELED: CANCELED\nFAILED: FAILED', enum_type=BulkJobStatus, max_length=16)),
                ('filter_text', fields.TextField(null=True, unique=False)),
                ('where', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('ids', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('reason', fields.TextField(null=True, unique=False)),
                ('dry_run', fields.BooleanField(default=False)),
                ('max_per_second', fields.FloatField()),
                ('idempotency_key', fields.CharField(null=True, max_length=255)),
                ('matched', fields.IntField(default=0)),
                ('frozen_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('freeze_attempts', fields.IntField(default=0)),
                ('processed', fields.IntField(default=0)),
                ('succeeded', fields.IntField(default=0)),
                ('failed', fields.IntField(default=0)),
                ('failures', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('error', fields.TextField(null=True, unique=False)),
                ('canceled_by', fields.CharField(null=True, max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=255)),
                ('lease_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('takeovers', fields.IntField(default=0)),
            ],
            options={'table': 'bulk_jobs', 'app': 'models', 'unique_together': (('project', 'idempotency_key'),), 'indexes': [Index(fields=['status', 'created_at']), Index(fields=['project_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A bulk action run in the background by the engines (JOBS.md "Bulk jobs").'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BulkTarget',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('snapshot_id', fields.UUIDField()),
                ('run_id', fields.UUIDField()),
            ],
            options={'table': 'bulk_targets', 'app': 'models', 'unique_together': (('snapshot_id', 'run_id'),), 'pk_attr': 'id', 'table_description': 'One run of a frozen bulk target: the runs that matched when a bulk action began.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ExportJob',
            name='expires_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='ExportJob',
            name='takeovers',
            field=fields.IntField(default=0, db_default=0),
        ),
    ]
