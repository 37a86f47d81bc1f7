"""`flowdeck worker`: an external worker that claims TASK steps of one queue through the GraphQL API.

It polls `claimSteps`, runs each step's handler (registered by the modules it was given),
heartbeats while the handler runs, and reports `completeStep` or `failStep`. When a
heartbeat answers CONFLICT the step is no longer ours (canceled, force-completed, lease
lost): the handler is cancelled and nothing is reported.

On SIGTERM (or SIGINT) it claims nothing more, gives the handlers running
`--shutdown-grace` seconds (10 by default) to finish and report, then cancels the rest and gives their steps
back (`releaseStep`), so that another worker takes them at once instead of after the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
import uuid
from typing import Any

import httpx

from app.handlers import HandlerContext, get_handler, load_handler_modules
from app.settings import ConfigError

log = logging.getLogger("flowdeck.worker")

STEP_FIELDS = "id ref handler attempt input run { id } leaseExpiresAt"
CLAIM = f"""
mutation($input: ClaimStepsInput!) {{
  claimSteps(input: $input) {{ steps {{ {STEP_FIELDS} }} errors {{ code message }} }}
}}"""
HEARTBEAT = """
mutation($input: HeartbeatStepInput!) { heartbeatStep(input: $input) { errors { code message } } }"""
COMPLETE = """
mutation($input: CompleteStepInput!) { completeStep(input: $input) { errors { code message } } }"""
FAIL = """
mutation($input: FailStepInput!) { failStep(input: $input) { errors { code message } } }"""
POST_UPDATE = """
mutation($input: PostRunUpdateInput!) { postRunUpdate(input: $input) { errors { code message } } }"""
RELEASE = """
mutation($input: ReleaseStepInput!) { releaseStep(input: $input) { errors { code message } } }"""

LEASE_SECONDS = 60
IDLE_POLL_SECONDS = 0.5


class WorkerError(Exception):
    """The server refused the worker (bad key, unreachable URL)."""


class Worker:
    def __init__(
        self,
        url: str,
        key: str,
        queue: str,
        concurrency: int,
        worker_id: str | None = None,
        shutdown_grace: float = 10.0,
    ) -> None:
        self.shutdown_grace = shutdown_grace
        self.endpoint = url.rstrip("/") + "/graphql"
        self.queue = queue
        self.concurrency = concurrency
        self.worker_id = worker_id or f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        self.client = httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30)
        self.stopping = asyncio.Event()
        self.running: set[asyncio.Task[None]] = set()
        # the handler task of each step this worker holds, by StepRun id
        self.held: dict[str, asyncio.Task[Any]] = {}

    async def call(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(self.endpoint, json={"query": query, "variables": variables})
        body = response.json()
        if body.get("errors"):
            error = body["errors"][0]
            raise WorkerError(f"{error.get('extensions', {}).get('code', 'ERROR')}: {error['message']}")
        return dict(body["data"])

    async def run(self) -> None:
        """Claim and run steps until asked to stop; then let running steps finish."""
        while not self.stopping.is_set():
            free = self.concurrency - len(self.running)
            if free <= 0:
                stop = asyncio.ensure_future(self.stopping.wait())
                await asyncio.wait({*self.running, stop}, return_when=asyncio.FIRST_COMPLETED)
                stop.cancel()
                continue
            data = await self.call(
                CLAIM,
                {
                    "input": {
                        "queue": self.queue,
                        "workerId": self.worker_id,
                        "limit": free,
                        "leaseSeconds": LEASE_SECONDS,
                    }
                },
            )
            steps = data["claimSteps"]["steps"]
            for step in steps:
                task = asyncio.create_task(self.execute(step))
                self.running.add(task)
                task.add_done_callback(self.running.discard)
            if not steps:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), IDLE_POLL_SECONDS)
        await self._shut_down()
        await self.client.aclose()

    async def _shut_down(self) -> None:
        """Let running handlers finish for a while; give back the steps of those that do not."""
        if self.running:
            log.info("stopping: %d steps running; waiting up to %ss", len(self.running), self.shutdown_grace)
            await asyncio.wait(self.running, timeout=self.shutdown_grace)
        unfinished = dict(self.held)
        for work in unfinished.values():
            work.cancel()
        if self.running:
            await asyncio.wait(self.running)
        for step_id in unfinished:
            try:
                await self._report(RELEASE, {"stepRunId": step_id, "workerId": self.worker_id})
                log.info("step %s released for another worker", step_id)
            except (WorkerError, httpx.HTTPError) as error:
                log.warning("could not release step %s (its lease will run out): %s", step_id, error)

    async def execute(self, step: dict[str, Any]) -> None:
        step_input = step.get("input") or {}
        config = step_input.get("config") or {}
        context = HandlerContext(
            input=step_input.get("input"),
            steps=step_input.get("steps") or {},
            config=config,
            run_id=step["run"]["id"],
            attempt=step["attempt"],
            step_ref=step["ref"],
            raw=step_input,
            _post_update=lambda kind, message, details: self._post_update(step["run"]["id"], kind, message, details),
        )
        work = asyncio.create_task(self._invoke(step["handler"], context))
        self.held[step["id"]] = work
        heartbeat = asyncio.create_task(self._heartbeat(step["id"], work))
        try:
            output = await work
        except asyncio.CancelledError:
            if self.stopping.is_set() and step["id"] in self.held:
                return  # stopping: _shut_down gives the step back
            self.held.pop(step["id"], None)
            log.info("step %s (%s) is no longer ours; dropped", step["ref"], step["id"])
            return
        except Exception as error:
            self.held.pop(step["id"], None)
            await self._report(
                FAIL, {"stepRunId": step["id"], "workerId": self.worker_id, "error": str(error) or type(error).__name__}
            )
            return
        finally:
            heartbeat.cancel()
        self.held.pop(step["id"], None)
        await self._report(COMPLETE, {"stepRunId": step["id"], "workerId": self.worker_id, "output": output})

    async def _invoke(self, handler_name: str, context: HandlerContext) -> Any:
        return await get_handler(handler_name)(context)

    async def _heartbeat(self, step_id: str, work: asyncio.Task[Any]) -> None:
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            data = await self.call(
                HEARTBEAT, {"input": {"stepRunId": step_id, "workerId": self.worker_id, "leaseSeconds": LEASE_SECONDS}}
            )
            if data["heartbeatStep"]["errors"]:
                work.cancel()
                return

    async def _report(self, mutation: str, values: dict[str, Any]) -> None:
        data = await self.call(mutation, {"input": values})
        errors = next(iter(data.values()))["errors"]
        if errors:
            log.warning("the server refused the result of step %s: %s", values["stepRunId"], errors[0]["message"])

    async def _post_update(self, run_id: str, kind: str, message: str, details: Any) -> None:
        await self.call(POST_UPDATE, {"input": {"runId": run_id, "type": kind, "message": message, "details": details}})


async def run_worker(
    *, url: str, key: str, queue: str, handler_modules: str, concurrency: int, shutdown_grace: float = 10.0
) -> int:
    """Run a worker until SIGINT/SIGTERM. Returns the process exit code."""
    try:
        load_handler_modules([name.strip() for name in handler_modules.split(",") if name.strip()])
    except ConfigError as error:
        print(f"flowdeck: --handlers: {error.problem}")
        return 2
    if concurrency < 1:
        print("flowdeck: --concurrency must be at least 1")
        return 2
    if shutdown_grace < 0:
        print("flowdeck: --shutdown-grace must not be negative")
        return 2
    worker = Worker(url, key, queue, concurrency, shutdown_grace=shutdown_grace)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, worker.stopping.set)
    try:
        await worker.call("{ me { name } }", {})
    except (WorkerError, httpx.HTTPError, ValueError) as error:
        print(f"flowdeck: worker cannot use {worker.endpoint}: {error}")
        return 2
    log.info("worker %s polling queue %r at %s", worker.worker_id, queue, worker.endpoint)
    await worker.run()
    return 0
