"""Tortoise's SQLite client, with transactions that take the write lock when they begin.

Tortoise begins a transaction with a deferred `BEGIN`: its first read takes a WAL snapshot, and
its first write must then upgrade that snapshot. When another process (`flowdeck engine` beside
`flowdeck serve`, or a second `serve`) has committed in between, SQLite cannot upgrade it and
answers "database is locked" at once, without waiting for the busy timeout. `BEGIN IMMEDIATE`
takes the write lock first, waiting up to the busy timeout for another process's write to end.
Inside one process nothing changes: Tortoise already runs one transaction at a time on its
single SQLite connection. Named as the Tortoise engine in app.db.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError

__all__ = ["client_class"]


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ImmediateSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_ImmediateTransaction(self), self._lock)


client_class = ImmediateSqliteClient
