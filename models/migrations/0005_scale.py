from tortoise import migrations
from tortoise.migrations import operations as ops

# The DURATION order (app/queries/durations.py) reads three indexes per scope (all projects, one
# project), none of them a column of its own, so no write path has to keep anything in step:
# - finished runs by their duration: an expression index on finished_at - started_at in seconds,
#   written exactly as app.filters.sql.SecondsBetween writes it (the planners match the expression);
# - running runs (finished_at IS NULL) by their start, newest first, the id ascending within a start
#   (their duration is now - started_at): a partial index, on SQLite over JULIANDAY(started_at), the
#   value its durations are computed from;
# - runs not started (no duration) by id: a partial index on the id (PostgreSQL does not take
#   `started_at IS NULL` on the (started_at, id) index as an equality that leaves the id in order).
_POSTGRES_SECONDS = "(EXTRACT(EPOCH FROM (finished_at - started_at)))"
_SQLITE_SECONDS = "(ROUND((JULIANDAY(finished_at)-JULIANDAY(started_at))*86400.0,3))"


UNSTARTED = [
    "CREATE INDEX runs_unstarted ON runs (id) WHERE started_at IS NULL",
    "CREATE INDEX runs_project_unstarted ON runs (project_id, id) WHERE started_at IS NULL",
]


def _statements(dialect: str) -> list[str]:
    seconds = _POSTGRES_SECONDS if dialect == "postgres" else _SQLITE_SECONDS
    start = "started_at" if dialect == "postgres" else "JULIANDAY(started_at)"
    return [
        f"CREATE INDEX runs_finished_duration ON runs ({seconds}, id)",
        f"CREATE INDEX runs_project_finished_duration ON runs (project_id, {seconds}, id)",
        f"CREATE INDEX runs_running_start ON runs ({start}, id DESC) WHERE finished_at IS NULL",
        f"CREATE INDEX runs_project_running_start ON runs (project_id, {start}, id DESC) WHERE finished_at IS NULL",
        *UNSTARTED,
    ]


async def duration_indexes(apps, schema_editor) -> None:
    dialect = schema_editor.client.capabilities.dialect
    for statement in _statements(dialect):
        await schema_editor.client.execute_script(statement)
    if dialect == "postgres":
        # the planner needs the expression's statistics to pick its index
        await schema_editor.client.execute_script("ANALYZE runs")


class Migration(migrations.Migration):
    dependencies = [('models', '0004_scale')]

    initial = False

    operations = [
        ops.RunPython(duration_indexes),
    ]
