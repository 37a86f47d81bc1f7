"""Prometheus metrics, made with the standard client library.

Counters, histograms and live gauges are updated where things happen, in every process.
Under `flowdeck serve` (any number of workers) the client library runs in its
multiprocess mode: `PROMETHEUS_MULTIPROC_DIR` is set up by the CLI before this module is
imported, each process writes its figures to files there, and a scrape of any worker
adds up every process's files. Figures that live in the database (runs by status, the
engine's queue, export jobs) are read with a few cheap aggregate queries at scrape time,
by the process answering the scrape, so they count once whatever the number of workers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import glob
import hmac
import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from app.enums import ExportStatus, RunStatus
from app.observability.multiproc import MULTIPROC_ENV

log = logging.getLogger("flowdeck.metrics")


GRAPHQL_REQUESTS = Counter(
    "flowdeck_graphql_requests",
    "GraphQL operations, by operation type (query, mutation, subscription, unknown when unparsable) and outcome",
    ["operation_type", "outcome"],
)
GRAPHQL_DURATION = Histogram(
    "flowdeck_graphql_request_duration_seconds",
    "Time to answer a GraphQL query or mutation (parse, validate, execute)",
    ["operation_type"],
)
ERRORS = Counter(
    "flowdeck_errors",
    "Errors answered, by code: top-level GraphQL errors and payload errors of mutations",
    ["code", "where"],
)
HTTP_DURATION = Histogram(
    "flowdeck_http_request_duration_seconds",
    "Time to answer an HTTP request, by route, method and status code",
    ["route", "method", "status"],
)
STEPS = Counter(
    "flowdeck_steps",
    "Step attempts started, completed and failed (by the engine and by workers), counted at commit",
    ["event"],
)
RUNS_ENDED = Counter("flowdeck_runs_ended", "Runs that reached a terminal status, counted at commit", ["status"])
OPEN_WEBSOCKETS = Gauge("flowdeck_open_websockets", "Websocket connections open now", multiprocess_mode="livesum")
OPEN_SUBSCRIPTIONS = Gauge(
    "flowdeck_open_subscriptions",
    "GraphQL subscriptions being served now, by subscription field",
    ["subscription"],
    multiprocess_mode="livesum",
)
SERVER_PROCESSES = Gauge(
    "flowdeck_server_processes", "Server processes serving HTTP (one per uvicorn worker)", multiprocess_mode="livesum"
)
BROADCAST_RECONNECTS = Counter(
    "flowdeck_broadcast_reconnects", "Times a process reconnected to the broadcast backend after losing it"
)

# the events of LIFECYCLE.md that these counters follow
STEP_EVENTS = {"STEP_STARTED": "started", "STEP_COMPLETED": "completed", "STEP_FAILED": "failed"}
RUN_END_EVENTS = {
    "RUN_COMPLETED": RunStatus.COMPLETED,
    "RUN_FAILED": RunStatus.FAILED,
    "RUN_CANCELED": RunStatus.CANCELED,
    "RUN_TERMINATED": RunStatus.TERMINATED,
    "RUN_TIMED_OUT": RunStatus.TIMED_OUT,
}

_GRAPHIQL_ASSET = re.compile(r"^/graphiql/")
_EXPORT = re.compile(r"^/exports/[^/]+$")
KNOWN_ROUTES = ("/graphql", "/healthz", "/readyz", "/metrics")


def route_label(path: str) -> str:
    """A bounded label for a request path (never the id in it)."""
    if path in KNOWN_ROUTES:
        return path
    if _EXPORT.match(path):
        return "/exports/{id}"
    if _GRAPHIQL_ASSET.match(path):
        return "/graphiql/{asset}"
    return "other"


def count_committed_events(event_types: Iterable[str]) -> None:
    """Count the step and run events of a committed transaction."""
    for event_type in event_types:
        if event_type in STEP_EVENTS:
            STEPS.labels(event=STEP_EVENTS[event_type]).inc()
        elif event_type in RUN_END_EVENTS:
            RUNS_ENDED.labels(status=RUN_END_EVENTS[event_type].value).inc()


# ---------------------------------------------------------------- multiprocess set-up


def is_multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def mark_process_dead(pid: int | None = None) -> None:
    """Drop a finished process's live gauges (open websockets, subscriptions) from the sums."""
    if is_multiprocess():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid if pid is not None else os.getpid())


def _reap_dead_processes(directory: str) -> None:
    """A worker that was killed never marked itself dead: drop the live gauges of vanished pids."""
    pids = set()
    for name in glob.glob(os.path.join(directory, "gauge_live*_*.db")):
        with contextlib.suppress(ValueError):
            pids.add(int(Path(name).stem.rsplit("_", 1)[1]))
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            mark_process_dead(pid)
        except PermissionError:
            pass


# ---------------------------------------------------------------- scrape


class _Families(Collector):
    """Metric families computed for one scrape."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


class _ThisProcess(Collector):
    """The default registry (this process's metrics, with process_* and python_* figures)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


async def database_gauges() -> list[Metric]:
    """Runs by status, the engine's and workers' queues, export jobs by status: a few aggregate reads."""
    from tortoise.expressions import Q
    from tortoise.functions import Count, Min

    from app.enums import StepStatus
    from app.lifecycle import utcnow
    from models import ExportJob, Run, StepRun

    now = utcnow()
    # COUNT(status), not COUNT(id): status leads an index of each table, so the count reads the
    # index alone (on 100,000 runs in SQLite: ~20 ms instead of ~400 ms)
    runs = GaugeMetricFamily("flowdeck_runs", "Runs in the database, by status", labels=["status"])
    counts = dict(await Run.annotate(n=Count("status")).group_by("status").values_list("status", "n"))
    for status in RunStatus:
        runs.add_metric([status.value], float(counts.get(status, counts.get(status.value, 0)) or 0))

    exports = GaugeMetricFamily("flowdeck_export_jobs", "Export jobs in the database, by status", labels=["status"])
    counts = dict(await ExportJob.annotate(n=Count("status")).group_by("status").values_list("status", "n"))
    for export_status in ExportStatus:
        exports.add_metric(
            [export_status.value], float(counts.get(export_status, counts.get(export_status.value, 0)) or 0)
        )

    due = Q(due_at__isnull=True) | Q(due_at__lte=now)
    # a QUEUED step waits since its due time, or since it was created when it has none (an upper bound)
    queued = StepRun.filter(due, status=StepStatus.QUEUED.value)
    engine_steps = (
        await queued.filter(queue__isnull=True)
        .annotate(n=Count("status"), due=Min("due_at"), created=Min("created_at"))
        .values_list("n", "due", "created")
    )
    pending = (
        await Run.filter(Q(scheduled_at__isnull=True) | Q(scheduled_at__lte=now), status=RunStatus.PENDING.value)
        .annotate(n=Count("status"), scheduled=Min("scheduled_at"), created=Min("created_at"))
        .values_list("n", "scheduled", "created")
    )
    depth = GaugeMetricFamily(
        "flowdeck_engine_queue_depth",
        "Work due for the engines now: runs waiting to start and steps waiting to run",
        labels=["kind"],
    )
    step_count, step_due, step_created = engine_steps[0] if engine_steps else (0, None, None)
    run_count, run_scheduled, run_created = pending[0] if pending else (0, None, None)
    depth.add_metric(["step"], float(step_count or 0))
    depth.add_metric(["run"], float(run_count or 0))
    lag = GaugeMetricFamily(
        "flowdeck_engine_queue_lag_seconds", "Age of the oldest item due for the engines (0 when none is due)"
    )
    lag.add_metric([], _age(now, [step_due or step_created, run_scheduled or run_created]))

    worker_depth = GaugeMetricFamily(
        "flowdeck_worker_queue_depth", "Steps due for external workers, by queue", labels=["queue"]
    )
    worker_lag = GaugeMetricFamily(
        "flowdeck_worker_queue_lag_seconds",
        "Age of the oldest step due for external workers, by queue",
        labels=["queue"],
    )
    rows = (
        await queued.filter(queue__isnull=False)
        .annotate(n=Count("status"), due=Min("due_at"), created=Min("created_at"))
        .group_by("queue")
        .values_list("queue", "n", "due", "created")
    )
    for queue, count, oldest_due, oldest_created in rows:
        worker_depth.add_metric([queue], float(count))
        worker_lag.add_metric([queue], _age(now, [oldest_due or oldest_created]))
    return [runs, exports, depth, lag, worker_depth, worker_lag]


def _age(now: dt.datetime, moments: Iterable[dt.datetime | None]) -> float:
    known = [moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC) for moment in moments if moment is not None]
    return max((now - min(known)).total_seconds(), 0.0) if known else 0.0


def render(families: list[Metric]) -> bytes:
    """The exposition text: every process's figures (multiprocess mode) or this one's, and `families`."""
    registry = CollectorRegistry()
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        from prometheus_client import multiprocess

        _reap_dead_processes(directory)
        multiprocess.MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    registry.register(_Families(families))
    return generate_latest(registry)


def authorized(request: Request, metrics_key: str | None) -> bool:
    if not metrics_key:
        return True
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), metrics_key.encode())


def metrics_endpoint(metrics_key: str | None) -> Callable[[Request], Awaitable[Response]]:
    """GET /metrics: Prometheus text; with FLOWDECK_METRICS_KEY set, only for `Authorization: Bearer <it>`."""

    async def endpoint(request: Request) -> Response:
        return await _answer_scrape(request, metrics_key)

    return endpoint


async def _answer_scrape(request: Request, metrics_key: str | None) -> Response:
    if not authorized(request, metrics_key):
        return PlainTextResponse(
            "metrics need 'Authorization: Bearer <FLOWDECK_METRICS_KEY>'\n",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    families: list[Metric] = []
    try:
        families = await database_gauges()
    except Exception:  # a database outage must not hide the process figures; /readyz reports it
        log.warning("metrics: the database figures could not be read", exc_info=True)
    return Response(render(families), media_type=CONTENT_TYPE_LATEST)
