from tortoise import migrations
from tortoise.migrations import operations as ops
from app.enums import RunStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

from app.run_counts import fill_counts

# Substring search (co/sw/ew and `search`) on these columns reads an index: pg_trgm GIN indexes
# on PostgreSQL, the FTS5 trigram table runs_fts on SQLite (kept in step by triggers, so in the
# transaction of the write). The query side is app/filters/sql.py. The workflow's key and name
# are left out: a few values shared by many runs, which `search` finds through the workflows.
TRIGRAM_COLUMNS = (
    "subject_id",
    "subject_name",
    "initiated_by",
    "trigger_key",
    "reason",
)


def _fts_values(prefix: str) -> str:
    return ", ".join(f"{prefix}.{column}" for column in TRIGRAM_COLUMNS)


def _sqlite_fts() -> list[str]:
    columns = ", ".join(TRIGRAM_COLUMNS)
    insert = f"INSERT INTO runs_fts (rowid, run_id, {columns}) VALUES (new.rowid, new.id, {_fts_values('new')});"
    return [
        f"CREATE VIRTUAL TABLE runs_fts USING fts5(run_id UNINDEXED, {columns}, tokenize='trigram')",
        f"CREATE TRIGGER runs_fts_insert AFTER INSERT ON runs BEGIN {insert} END",
        "CREATE TRIGGER runs_fts_delete AFTER DELETE ON runs BEGIN DELETE FROM runs_fts WHERE rowid = old.rowid; END",
        f"CREATE TRIGGER runs_fts_update AFTER UPDATE OF {columns} ON runs BEGIN "
        f"DELETE FROM runs_fts WHERE rowid = old.rowid; {insert} END",
        f"INSERT INTO runs_fts (rowid, run_id, {columns}) SELECT rowid, id, {columns} FROM runs",
    ]


def _postgres_trigram() -> list[str]:
    statements = ["CREATE EXTENSION IF NOT EXISTS pg_trgm"]
    statements += [f"CREATE INDEX runs_{column}_trgm ON runs USING gin ({column} gin_trgm_ops)" for column in TRIGRAM_COLUMNS]
    statements.append("CREATE INDEX run_tags_value_trgm ON run_tags USING gin (value gin_trgm_ops)")
    return statements


async def substring_indexes(apps, schema_editor) -> None:
    dialect = schema_editor.client.capabilities.dialect
    for statement in _postgres_trigram() if dialect == "postgres" else _sqlite_fts():
        await schema_editor.client.execute_script(statement)


async def count_runs(apps, schema_editor) -> None:
    """The counters of the runs already there (an upgraded database)."""
    await fill_counts(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('models', '0003_bulkjobs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='RunCount',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('project', fields.ForeignKeyField('models.Project', source_field='project_id', db_constraint=True, to_field='id', related_name='run_counts', on_delete=OnDelete.CASCADE)),
                ('workflow', fields.ForeignKeyField('models.Workflow', source_field='workflow_id', db_constraint=True, to_field='id', related_name='run_counts', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='PENDING: PENDING\nBLOCKED: BLOCKED\nRUNNING: RUNNING\nPAUSED: PAUSED\nCANCELING: CANCELING\nCOMPLETED: COMPLETED\nFAILED: FAILED\nTIMED_OUT: TIMED_OUT\nCANCELED: CANCELED\nTERMINATED: TERMINATED\nABANDONED: ABANDONED', enum_type=RunStatus, max_length=16)),
                ('private', fields.BooleanField()),
                ('count', fields.BigIntField(default=0)),
            ],
            options={'table': 'run_counts', 'app': 'models', 'unique_together': (('project', 'workflow', 'status', 'private'),), 'pk_attr': 'id', 'table_description': 'How many runs a workflow has in a status: what unfiltered runStats and totalCount read.'},
            bases=['Model'],
        ),
        ops.RemoveIndex(
            model_name='Run',
            name=None,
            fields=['workflow_key', 'created_at'],
        ),
        ops.RemoveIndex(
            model_name='Run',
            name=None,
            fields=['project_id', 'priority', 'created_at'],
        ),
        ops.RemoveIndex(
            model_name='Run',
            name=None,
            fields=['project_id', 'status', 'created_at'],
        ),
        ops.RemoveIndex(
            model_name='Run',
            name=None,
            fields=['project_id', 'workflow_key', 'created_at'],
        ),
        ops.RemoveIndex(
            model_name='Run',
            name=None,
            fields=['updated_at'],
        ),
        ops.RemoveIndex(
            model_name='Run',
            name=None,
            fields=['workflow_id', 'created_at'],
        ),
        ops.AddIndex(
            model_name='Run',
            index=Index(fields=['updated_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Run',
            index=Index(fields=['project_id', 'priority', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Run',
            index=Index(fields=['priority', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Run',
            index=Index(fields=['project_id', 'status', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Run',
            index=Index(fields=['status', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Run',
            index=Index(fields=['project_id', 'workflow_key', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Run',
            index=Index(fields=['workflow_key', 'created_at', 'id']),
        ),
        ops.AddIndex(
            model_name='Run',
            index=Index(fields=['workflow_id', 'created_at', 'id']),
        ),
        ops.RemoveIndex(
            model_name='RunTag',
            name=None,
            fields=['key', 'value'],
        ),
        ops.AddIndex(
            model_name='RunTag',
            index=Index(fields=['key', 'value', 'run_id']),
        ),
        ops.RunPython(substring_indexes),
        ops.RunPython(count_runs),
    ]
