"""Schedules (JOBS.md "Schedules"): cron in a time zone, the firing tick the engines run,
the overlap policies and the schedule actions. Import the submodules you need; this package
imports nothing so that the lifecycle can use `app.schedules.run_end` without a cycle."""
