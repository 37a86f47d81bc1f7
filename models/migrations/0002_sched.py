from tortoise import migrations
from tortoise.migrations import operations as ops
from app.enums import Priority, ScheduleFireOutcome, ScheduleOverlap, ScheduleState
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from uuid import uuid4
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Schedule',
            fields=[
                ('id', fields.UUIDField(primary_key=True, default=uuid4, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='schedules', on_delete=OnDelete.CASCADE)),
                ('workflow', fields.ForeignKeyField('models.Workflow', source_field='workflow_id', db_constraint=True, to_field='id', related_name='schedules', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=128)),
                ('workflow_version', fields.IntField(null=True)),
                ('cron', fields.CharField(max_length=255)),
                ('timezone', fields.CharField(max_length=64)),
                ('input', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('tags', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('priority', fields.IntEnumField(default=Priority.NORMAL, description='LOW: 0\nNORMAL: 1\nHIGH: 2\nCRITICAL: 3', enum_type=Priority, generated=False)),
                ('overlap', fields.CharEnumField(default=ScheduleOverlap.SKIP, description='SKIP: SKIP\nBUFFER_ONE: BUFFER_ONE\nBUFFER_ALL: BUFFER_ALL\nALLOW_ALL: ALLOW_ALL\nCANCEL_OTHER: CANCEL_OTHER\nTERMINATE_OTHER: TERMINATE_OTHER', enum_type=ScheduleOverlap, max_length=16)),
                ('catchup_window_seconds', fields.IntField()),
                ('pause_on_failure', fields.BooleanField(default=False)),
                ('state', fields.CharEnumField(default=ScheduleState.ACTIVE, description='ACTIVE: ACTIVE\nPAUSED: PAUSED', enum_type=ScheduleState, max_length=8)),
                ('note', fields.TextField(null=True, unique=False)),
                ('next_fire_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_fired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('skipped_count', fields.IntField(default=0)),
                ('missed_count', fields.IntField(default=0)),
                ('created_by', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'schedules', 'app': 'models', 'unique_together': (('project', 'key'),), 'indexes': [Index(fields=['state', 'next_fire_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduleFire',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('schedule', fields.ForeignKeyField('models.Schedule', source_field='schedule_id', db_constraint=True, to_field='id', related_name='fires', on_delete=OnDelete.CASCADE)),
                ('nominal_time', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actual_time', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharEnumField(description='STARTED: STARTED\nSKIPPED: SKIPPED\nBUFFERED: BUFFERED\nMISSED: MISSED\nFAILED_TO_START: FAILED_TO_START', enum_type=ScheduleFireOutcome, max_length=16)),
                ('run_id', fields.UUIDField(null=True)),
                ('error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'schedule_fires', 'app': 'models', 'unique_together': (('schedule', 'nominal_time'),), 'pk_attr': 'id', 'table_description': 'One fire time of a schedule and what became of it. UNIQUE (schedule, nominal_time):'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Run',
            name='schedule_hold',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
