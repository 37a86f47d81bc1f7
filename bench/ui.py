"""Dashboard benchmark: Debian's Chromium (headless) against one real `flowdeck serve`.

    .venv/bin/python bench/ui.py [--runs 200] [--rate 1000] [--seconds 30] [--repeat 5] [--trace FILE]

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
With --trace FILE, the live phase is recorded as a Chrome trace (CDP tracing through
Playwright; open FILE in chrome://tracing or Perfetto) and its main-thread tasks over 50 ms are
broken down by what they spent their time on (script, style, layout, paint, GC).
Figures only; nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=200, help="runs in the database before measuring")
    parser.add_argument("--rate", type=int, default=1000, help="run changes a minute during the live phase")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--trace", type=Path, default=None, help="record the live phase as a Chrome trace here")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="flowdeck-bench-ui-"))
    key = secrets.token_urlsafe(24)
    env = {"FLOWDECK_DATABASE_URL": f"sqlite://{root / 'bench.db'}", "FLOWDECK_BOOTSTRAP_KEY": key}
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
        start_run = "mutation($input: StartRunInput!) { startRun(input: $input) { errors { message } } }"

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            to_rendered: list[float] = []
            after_response: list[float] = []
            for _ in range(args.repeat):
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

            # The same load twice, side by side: with the page live, then with its live updates
            # paused (the machine's own noise: the server runs on the same cores as the browser).
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
                tracing = args.trace is not None and not paused
                if tracing:
                    browser.start_tracing(
                        page=page,
                        path=str(args.trace),
                        categories=["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"],
                    )
                page.evaluate("Object.assign(window.__probe, { longTasks: [], frames: [], recordFrames: true })")
                interval = 60.0 / (args.rate / 3)  # three changes per run
                begin = time.monotonic()
                started = 0
                while time.monotonic() - begin < args.seconds:
                    subject = {"type": "item", "id": f"live-{paused}-{started}"}
                    graphql(
                        server, start_run, {"input": {"workflowKey": "quick", "project": "bench", "subject": subject}}
                    )
                    started += 1
                    time.sleep(max(0.0, begin + started * interval - time.monotonic()))
                page.wait_for_timeout(2000)  # the last runs finish and their changes arrive
                probe = page.evaluate("window.__probe")
                if tracing:
                    browser.stop_tracing()
                elapsed = time.monotonic() - begin
                frames = probe["frames"]
                long_tasks = probe["longTasks"]
                print(
                    f"{'paused (control)' if paused else 'live'}: {started} runs started in {elapsed:.0f} s "
                    f"({started * 3 / elapsed * 60:.0f} run changes a minute); "
                    f"the page received {probe['messages']} runChanged messages"
                )
                longest = f" (longest {max(long_tasks):.0f} ms)" if long_tasks else ""
                print(f"  long tasks over 50 ms: {len(long_tasks)}{longest}")
                print(
                    f"  frame intervals: {len(frames)} frames, p50 {percentile(frames, 0.5):.1f} ms, "
                    f"p99 {percentile(frames, 0.99):.1f} ms, max {max(frames, default=0):.1f} ms"
                )
                if tracing:
                    print(f"  trace in {args.trace}; main-thread tasks over 50 ms in it:")
                    print("\n".join(long_task_breakdown(args.trace)) or "    none")
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
