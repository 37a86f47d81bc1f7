"""Dashboard benchmark: Debian's Chromium (headless) against one real `flowdeck serve`.

    .venv/bin/python bench/ui.py [--runs 200] [--rate 1000] [--seconds 30] [--repeat 5] [--history 10000]
                                     [--phases first-page,live,history] [--trace FILE]

1. Time to a rendered page of 50 runs: the runs page is opened `--repeat` times in fresh
   contexts (cold: no cache, a new sign-in each time); in the page, a MutationObserver notes
   when the table first holds 50 rows. Printed: navigation -> 50 rows rendered, and the
   response of the runs query (Resource Timing of the /graphql POST) -> 50 rows rendered.
2. Live updates: the page stays open on the runs list (newest first, first page, nothing
   selected: new runs are inserted) while runs of a one-step `noop` workflow are started at
   `--rate` run changes a minute (each run changes 3 times: created PENDING, RUNNING,
   COMPLETED) for `--seconds`. Printed: runChanged messages the page received, the main
   thread's long tasks (over 50 ms, PerformanceObserver 'longtask') and frame intervals
   (requestAnimationFrame deltas: p50, p99, max). Then the same load again with the page's
   live updates paused, as a control: the server shares the machine's cores with the browser.
3. History (`--history` events, default 10,000, appended to a waiting run's history through
   the app's models): the run page opens on the latest 100 events; the history is scrolled to
   its oldest end until every page is loaded (100 at a time), then scrolled back through at 600
   px a frame. Printed: long tasks, frame intervals, the JS heap, the DOM's event rows.

Each measured stretch is recorded as a Chrome trace (CDP tracing through Playwright), which
gives the load-independent figure: the renderer main thread's CPU time per task (a long task in
wall time can be a short one that the shared cores descheduled). With --trace FILE the traces
are kept (FILE.live.json, FILE.paused.json, FILE.loading.json, FILE.history.json; open them in
chrome://tracing or Perfetto) and their tasks over 50 ms are broken down by what they spent
their time on (script, style, layout, paint, GC). `--phases` picks first-page, live, history.
Beside each phase, the server process's own CPU time (user + system, /proc) over the same
stretch: per cold page load, per run change delivered live (the live phase minus its paused
control), per page of history. Figures only; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cpu import cpu_seconds
from tests.servers import FlowdeckServer

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Installed before the page's own scripts: when the table first holds 50 rows, long tasks,
# frame intervals, and runChanged messages counted on every websocket the page opens.
PROBE = """
window.__probe = { rendered50: null, longTasks: [], frames: [], messages: 0 };
new MutationObserver(() => {
  if (window.__probe.rendered50 === null && document.querySelectorAll('table.runs tbody tr').length >= 50) {
    window.__probe.rendered50 = performance.now();
  }
}).observe(document, { childList: true, subtree: true });
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) window.__probe.longTasks.push(entry.duration);
}).observe({ type: 'longtask', buffered: true });
let last = null;
const frame = (now) => {
  if (window.__probe.recordFrames && last !== null) window.__probe.frames.push(now - last);
  last = now;
  requestAnimationFrame(frame);
};
requestAnimationFrame(frame);
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (event) => {
      if (typeof event.data === 'string' && event.data.includes('"runChanged"')) window.__probe.messages += 1;
    });
  }
};
"""


def graphql(server: FlowdeckServer, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(
        server.graphql_url, json={"query": query, "variables": variables or {}}, headers=server.headers, timeout=30
    )
    body = response.json()
    if "errors" in body:
        raise RuntimeError(body["errors"])
    data: dict[str, Any] = body["data"]
    return data


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"]
# trace event names -> what a person calls them (the renderer main thread's work in a task)
TRACE_KINDS = {
    "FunctionCall": "script",
    "EvaluateScript": "script",
    "v8.compile": "script",
    "TimerFire": "script",
    "FireAnimationFrame": "script",
    "EventDispatch": "script",
    "RunMicrotasks": "script",
    "UpdateLayoutTree": "style",
    "Layout": "layout",
    "PrePaint": "paint",
    "Paint": "paint",
    "PaintImage": "paint",
    "Layerize": "paint",
    "UpdateLayer": "paint",
    "CompositeLayers": "paint",
    "Commit": "paint",
    "MinorGC": "gc",
    "MajorGC": "gc",
    "V8.GC_SCAVENGER": "gc",
    "ParseHTML": "parse",
}


def long_task_breakdown(trace_path: Path) -> list[str]:
    """The renderer main thread's tasks over 50 ms, each with its time by kind (self time of
    the named slices directly inside it, outermost named slice wins)."""
    data = json.loads(trace_path.read_text())
    events = data["traceEvents"] if isinstance(data, dict) else data
    main_threads = {
        (event["pid"], event["tid"])
        for event in events
        if event.get("name") == "thread_name" and event.get("args", {}).get("name") == "CrRendererMain"
    }
    by_thread: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for event in events:
        if event.get("ph") == "X" and (event["pid"], event["tid"]) in main_threads:
            by_thread.setdefault((event["pid"], event["tid"]), []).append(event)
    lines = []
    for slices in by_thread.values():
        slices.sort(key=lambda event: (event["ts"], -event.get("dur", 0)))
        for task in slices:
            if task["name"] != "RunTask" or task.get("dur", 0) < 50_000:
                continue
            end = task["ts"] + task["dur"]
            kinds: dict[str, float] = {}
            covered_until = task["ts"]
            for inner in slices:
                if inner is task or inner["ts"] < task["ts"] or inner["ts"] >= end or inner["ts"] < covered_until:
                    continue
                kind = TRACE_KINDS.get(inner["name"])
                if kind is None:
                    continue
                kinds[kind] = kinds.get(kind, 0.0) + inner.get("dur", 0) / 1000
                covered_until = inner["ts"] + inner.get("dur", 0)
            parts = ", ".join(f"{kind} {ms:.0f} ms" for kind, ms in sorted(kinds.items(), key=lambda item: -item[1]))
            lines.append(f"    task of {task['dur'] / 1000:.0f} ms: {parts or 'nothing named'}")
    return lines


def main_thread_tasks(trace_path: Path) -> list[dict[str, Any]]:
    data = json.loads(trace_path.read_text())
    events = data["traceEvents"] if isinstance(data, dict) else data
    main_threads = {
        (event["pid"], event["tid"])
        for event in events
        if event.get("name") == "thread_name" and event.get("args", {}).get("name") == "CrRendererMain"
    }
    return [
        event
        for event in events
        if event.get("ph") == "X" and event["name"] == "RunTask" and (event["pid"], event["tid"]) in main_threads
    ]


def print_cpu(trace_path: Path, messages: int | None = None) -> None:
    """The load-independent figures: the renderer main thread's CPU time (a task's `tdur`, the
    time its thread ran) beside its wall time (`dur`, which grows whenever the shared cores run
    something else: the server, other processes)."""
    tasks = main_thread_tasks(trace_path)
    cpu = sum(task.get("tdur", 0) for task in tasks) / 1000
    wall = sum(task.get("dur", 0) for task in tasks) / 1000
    over_cpu = sum(1 for task in tasks if task.get("tdur", 0) > 50_000)
    longest = max((task.get("tdur", 0) for task in tasks), default=0) / 1000
    per = f" ({cpu / messages:.1f} ms a message)" if messages else ""
    print(
        f"  main thread: {cpu:.0f} ms of CPU{per} in {wall:.0f} ms of tasks; tasks over 50 ms of CPU: "
        f"{over_cpu}; longest task {longest:.0f} ms of CPU"
    )


class Traced:
    """A Chrome trace (CDP tracing through Playwright) of one page while the block runs: to
    `keep` when given (then its tasks over 50 ms are broken down), else to a temporary file."""

    def __init__(self, browser: Browser, page: Any, keep: Path | None) -> None:
        self.browser, self.page, self.keep = browser, page, keep
        self.path = keep if keep is not None else Path(tempfile.mkdtemp(prefix="flowdeck-bench-trace-")) / "trace.json"

    def __enter__(self) -> Traced:
        self.browser.start_tracing(page=self.page, path=str(self.path), categories=TRACE_CATEGORIES)
        return self

    def __exit__(self, *exc: object) -> None:
        self.browser.stop_tracing()

    def report(self, messages: int | None = None) -> None:
        print_cpu(self.path, messages)
        if self.keep is not None:
            print(f"  trace in {self.keep}; main-thread tasks over 50 ms (wall) in it:")
            print("\n".join(long_task_breakdown(self.keep)) or "    none")


def server_cpu_ms(server: FlowdeckServer) -> float:
    """CPU milliseconds the server process has used so far."""
    assert server.process is not None
    return cpu_seconds(server.process.pid) * 1000


def print_frames(label: str, probe: dict[str, Any]) -> None:
    frames = probe["frames"]
    long_tasks = probe["longTasks"]
    longest = f" (longest {max(long_tasks):.0f} ms)" if long_tasks else ""
    print(f"  {label}long tasks over 50 ms: {len(long_tasks)}{longest}")
    print(
        f"  frame intervals: {len(frames)} frames, p50 {percentile(frames, 0.5):.1f} ms, "
        f"p99 {percentile(frames, 0.99):.1f} ms, max {max(frames, default=0):.1f} ms"
    )


def measure_first_page(browser: Browser, server: FlowdeckServer, key: str, args: argparse.Namespace) -> None:
    to_rendered: list[float] = []
    after_response: list[float] = []
    server_ms: list[float] = []
    for _ in range(args.repeat):
        server_before = server_cpu_ms(server)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_init_script(PROBE)
        page = context.new_page()
        page.goto(f"{server.url}/#key={key}")
        page.wait_for_function("window.__probe.rendered50 !== null", timeout=30_000)
        rendered = page.evaluate("window.__probe.rendered50")
        responses = page.evaluate(
            """rendered => performance.getEntriesByType('resource')
                 .filter(e => e.name.endsWith('/graphql') && e.responseEnd <= rendered)
                 .map(e => e.responseEnd)""",
            rendered,
        )
        to_rendered.append(rendered)
        after_response.append(rendered - max(responses))
        server_ms.append(server_cpu_ms(server) - server_before)
        context.close()
    print(f"runs page, {args.repeat} cold loads of 50 rows (of {args.runs} runs in the database):")
    print(
        f"  navigation -> 50 rows rendered: median {statistics.median(to_rendered):.0f} ms, "
        f"max {max(to_rendered):.0f} ms"
    )
    print(
        f"  runs response -> 50 rows rendered: median {statistics.median(after_response):.0f} ms, "
        f"max {max(after_response):.0f} ms"
    )
    print(
        f"  server CPU per cold load (sign-in, runs, counts, live socket): median {statistics.median(server_ms):.0f} ms"
    )


def measure_live(browser: Browser, server: FlowdeckServer, key: str, args: argparse.Namespace) -> None:
    """The same load twice, side by side: with the page live, then with its live updates paused
    (the machine's own noise: the server runs on the same cores as the browser)."""
    start_run = "mutation($input: StartRunInput!) { startRun(input: $input) { errors { message } } }"
    for paused in (False, True):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        context.add_init_script(PROBE)
        page = context.new_page()
        page.goto(f"{server.url}/#key={key}")
        page.wait_for_function("window.__probe.rendered50 !== null", timeout=30_000)
        page.wait_for_selector(".live[data-state=live]")
        if paused:
            page.get_by_role("button", name="Pause", exact=True).click()
            page.wait_for_selector(".live[data-state=paused]")
        keep = args.trace.with_suffix(f".{'paused' if paused else 'live'}.json") if args.trace is not None else None
        with Traced(browser, page, keep) as traced:
            page.evaluate("Object.assign(window.__probe, { longTasks: [], frames: [], recordFrames: true })")
            interval = 60.0 / (args.rate / 3)  # three changes per run
            server_before = server_cpu_ms(server)
            begin = time.monotonic()
            started = 0
            while time.monotonic() - begin < args.seconds:
                subject = {"type": "item", "id": f"live-{paused}-{started}"}
                graphql(server, start_run, {"input": {"workflowKey": "quick", "project": "bench", "subject": subject}})
                started += 1
                time.sleep(max(0.0, begin + started * interval - time.monotonic()))
            elapsed = time.monotonic() - begin
            page.wait_for_timeout(2000)  # the last runs finish and their changes arrive
            probe = page.evaluate("window.__probe")
        server_ms = server_cpu_ms(server) - server_before
        label = "paused (control)" if paused else "live"
        # runChanged may merge quick successive changes of one run into one message (schema.graphql)
        print(
            f"{label}: {started} runs started in {elapsed:.0f} s ({started * 3 / elapsed * 60:.0f} run changes "
            f"a minute); the page received {probe['messages']} runChanged messages"
        )
        print_frames("", probe)
        traced.report(probe["messages"] or None)
        print(f"  server: {server_ms:.0f} ms of CPU ({server_ms / (started * 3):.2f} ms a run change)")
        context.close()


def add_history(database_url: str, run_id: str, count: int) -> int:
    """Appends `count` step events to a run's history straight into the database (through the
    app's models, as the lifecycle would: seqs after the run's last, its event_seq moved on).
    Returns the run's last seq."""
    from app.db import close_db, init_db
    from app.enums import RunEventType
    from app.ids import expect_global_id
    from app.settings import Settings
    from models import Run, RunEvent

    kinds = [RunEventType.STEP_QUEUED, RunEventType.STEP_STARTED, RunEventType.STEP_COMPLETED]

    async def work() -> int:
        await init_db(Settings(database_url=database_url))
        try:
            run = await Run.get(id=expect_global_id(run_id, "Run"))
            first = run.event_seq + 1
            now = dt.datetime.now(dt.UTC)
            events = [
                RunEvent(
                    run_id=run.id,
                    seq=first + index,
                    at=now + dt.timedelta(milliseconds=index),
                    type=kinds[index % 3],
                    step_ref=f"item-{index // 3}",
                    attempt=1,
                    data={"item": index // 3},
                )
                for index in range(count)
            ]
            await RunEvent.bulk_create(events, batch_size=1000)
            await Run.filter(id=run.id).update(event_seq=first + count - 1)
            return first + count - 1
        finally:
            await close_db()

    # Playwright's sync API runs an event loop in this thread: the work gets a thread of its own
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work()).result()


def measure_history(
    browser: Browser, server: FlowdeckServer, key: str, database_url: str, args: argparse.Namespace
) -> None:
    """A run with `--history` events: its page opens on the latest 100, then older pages load as
    the history is scrolled to its oldest end until all are loaded, then the whole history is
    scrolled back through at 600 px a frame. Printed: long tasks and frame intervals of both,
    the JS heap, and how many event rows the DOM holds (virtualized: only those in view)."""
    steps = [{"ref": "approve", "type": "APPROVAL"}]
    graphql(
        server,
        "mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { errors { message } } }",
        {"input": {"project": "bench", "key": "long-history", "name": "Long history", "steps": steps}},
    )
    started = graphql(
        server,
        'mutation { startRun(input: {workflowKey: "long-history", project: "bench"}) { run { id } } }',
    )
    run_id = started["startRun"]["run"]["id"]
    state = "query($id: ID!) { run(id: $id) { steps { status } } }"
    while graphql(server, state, {"id": run_id})["run"]["steps"][0]["status"] != "WAITING":
        time.sleep(0.1)
    total = add_history(database_url, run_id, args.history)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(PROBE)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(f"{server.url}/runs/{run_id}#key={key}")
    page.wait_for_selector(f".event-count:text-is('100 of {total} events')", timeout=60_000)
    page.evaluate("Object.assign(window.__probe, { longTasks: [], frames: [], recordFrames: true })")
    begin = time.monotonic()
    server_before = server_cpu_ms(server)
    loaded = 100
    with Traced(browser, page, args.trace.with_suffix(".loading.json") if args.trace else None) as loading_trace:
        while loaded < total:
            page.locator(".events").evaluate("box => { box.scrollTop = box.scrollHeight; }")
            loaded = min(total, loaded + 100)
            page.wait_for_selector(f".event-count:text-is('{loaded} of {total} events')", timeout=30_000)
        probe = page.evaluate("window.__probe")
    loading = time.monotonic() - begin
    pages = (total - 100) / 100
    server_ms = server_cpu_ms(server) - server_before
    print(f"history of {total} events: loaded 100 at a time by scrolling to its end, {loading:.1f} s")
    print(f"  server: {server_ms:.0f} ms of CPU ({server_ms / pages:.1f} ms a page of 100 events)")
    print_frames("", probe)
    loading_trace.report()
    page.evaluate("Object.assign(window.__probe, { longTasks: [], frames: [], recordFrames: true })")
    keep = args.trace.with_suffix(".history.json") if args.trace is not None else None
    with Traced(browser, page, keep) as traced:
        scrolled = page.evaluate(
            """() => new Promise(done => {
                const box = document.querySelector('.events');
                const begin = performance.now();
                const step = () => {
                  box.scrollTop = Math.max(0, box.scrollTop - 600);
                  if (box.scrollTop > 0) requestAnimationFrame(step);
                  else done({ ms: performance.now() - begin, height: box.scrollHeight });
                };
                requestAnimationFrame(step);
            })"""
        )
        probe = page.evaluate("window.__probe")
    # after a collection: the heap and node counts otherwise include what the scroll left to collect
    cdp.send("HeapProfiler.collectGarbage")
    metrics = {item["name"]: item["value"] for item in cdp.send("Performance.getMetrics")["metrics"]}
    rows = page.locator(".events .event").count()
    elements = page.evaluate("document.querySelectorAll('*').length")
    print(
        f"  scrolled through all {total} events ({scrolled['height'] / 1000:.0f},000 px) at 600 px a frame "
        f"in {scrolled['ms'] / 1000:.1f} s:"
    )
    print_frames("", probe)
    traced.report()
    print(
        f"  after a GC: JS heap used {metrics['JSHeapUsedSize'] / 2**20:.1f} MiB, DOM nodes {metrics['Nodes']:.0f} "
        f"({elements} elements in the document), event rows in the DOM {rows}"
    )
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="runs in the database before measuring")
    parser.add_argument("--rate", type=int, default=1000, help="run changes a minute during the live phase")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--trace", type=Path, default=None, help="record the live phase as a Chrome trace here")
    parser.add_argument("--history", type=int, default=10_000, help="events in the long run's history")
    parser.add_argument(
        "--phases", default="first-page,live,history", help="comma-separated: first-page, live, history"
    )
    args = parser.parse_args()
    phases = set(args.phases.split(","))

    root = Path(tempfile.mkdtemp(prefix="flowdeck-bench-ui-"))
    key = secrets.token_urlsafe(24)
    database_url = f"sqlite://{root / 'bench.db'}"
    env = {"FLOWDECK_DATABASE_URL": database_url, "FLOWDECK_BOOTSTRAP_KEY": key}
    with FlowdeckServer(env) as server:
        graphql(server, 'mutation { createProject(input: {key: "bench", name: "Bench"}) { errors { message } } }')
        steps = [{"ref": "work", "type": "TASK", "handler": "noop"}]
        graphql(
            server,
            "mutation($input: CreateWorkflowInput!) { createWorkflow(input: $input) { errors { message } } }",
            {"input": {"project": "bench", "key": "quick", "name": "Quick", "steps": steps}},
        )
        trigger = "mutation($input: TriggerWorkflowInput!) { triggerWorkflow(input: $input) { errors { message } } }"
        for start in range(0, args.runs, 100):
            subjects = [
                {"type": "item", "id": f"seed-{index}", "name": f"Item {index}"}
                for index in range(start, min(args.runs, start + 100))
            ]
            graphql(
                server,
                trigger,
                {
                    "input": {
                        "workflowKey": "quick",
                        "project": "bench",
                        "subjects": subjects,
                        "tags": [{"key": "team", "value": "bench"}],
                    }
                },
            )

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            if "first-page" in phases:
                measure_first_page(browser, server, key, args)
            if "live" in phases:
                measure_live(browser, server, key, args)
            if "history" in phases:
                measure_history(browser, server, key, database_url, args)
            browser.close()


if __name__ == "__main__":
    main()
