"""Closing the websockets of a revoked API key with code 4403, within a second.

One watcher per process listens for revocations and keeps a weak registry of the open
sockets by key: a socket costs an entry in a WeakSet, not a task of its own, and a closed
socket leaves the registry by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
import weakref
from collections.abc import Iterable

from starlette.websockets import WebSocket

from app import pubsub
from models import ApiKey

log = logging.getLogger("flowdeck.revocation")


class RevocationWatch:
    def __init__(self) -> None:
        self._sockets: dict[uuid.UUID, weakref.WeakSet[WebSocket]] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(self, key_id: uuid.UUID, websocket: WebSocket) -> None:
        """Close `websocket` when the key `key_id` is revoked."""
        self._sockets.setdefault(key_id, weakref.WeakSet()).add(websocket)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        async with pubsub.get_hub().subscribe(pubsub.KEYS_TOPIC) as subscription:
            async for message in subscription:
                if isinstance(message, dict):
                    try:
                        candidates = [uuid.UUID(str(message.get("revoked")))]
                    except ValueError:
                        continue
                else:  # RESYNC: a revocation may have been lost, so look at every watched key
                    candidates = list(self._sockets)
                try:
                    await self._close_revoked(candidates)
                except Exception:  # the watcher must outlive a failed lookup; the next message retries
                    log.exception("checking revoked keys failed")

    async def _close_revoked(self, key_ids: Iterable[uuid.UUID]) -> None:
        for key_id in [key_id for key_id, sockets in self._sockets.items() if not sockets]:
            del self._sockets[key_id]
        watched = [key_id for key_id in key_ids if key_id in self._sockets]
        if not watched:
            return
        live = set(await ApiKey.filter(id__in=watched, revoked_at__isnull=True).values_list("id", flat=True))
        for key_id in watched:
            if key_id in live:
                continue
            for websocket in list(self._sockets.pop(key_id, ())):
                with contextlib.suppress(RuntimeError):
                    await websocket.close(code=4403, reason="API key revoked")
