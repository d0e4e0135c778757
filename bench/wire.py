"""What goes over the wire to PostgreSQL and Redis, counted where it leaves the process.

PostgreSQL: every frontend message asyncpg writes to the socket is parsed from the bytes
(type byte + length). A simple query (`Q`: BEGIN, COMMIT, ROLLBACK, SELECT 1) is one statement
and one round trip; in the extended protocol an `Execute` (`E`) is one statement and a `Sync`
(`S`) ends one round trip, so a statement prepared the first time on a connection (Parse +
Describe + Sync) costs a round trip without being a statement. Nothing the SQLAlchemy events
miss can hide here: transaction control, the pool's pre-ping and asyncpg's own introspection
all write to the same socket.

Redis: one `execute_command` of the client is one command and one round trip; one pipeline's
`execute` is one round trip however many commands it carries (MULTI/EXEC included).
"""

from __future__ import annotations

import os
import struct
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio.client import Pipeline, Redis
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass
class Wire:
    """Counts of one process's traffic, by kind and by statement text."""

    sql_statements: int = 0  # Q + E messages
    sql_round_trips: int = 0  # Q + S messages
    sql_texts: Counter[str] = field(default_factory=Counter)
    redis_round_trips: int = 0
    redis_commands: Counter[str] = field(default_factory=Counter)
    _names: dict[bytes, str] = field(default_factory=dict)  # prepared statement → its text
    _bound: list[str] = field(default_factory=list)

    def snapshot(self) -> tuple[int, int, int]:
        return self.sql_statements, self.sql_round_trips, self.redis_round_trips

    # --- PostgreSQL -----------------------------------------------------------------------

    def _frontend(self, data: bytes) -> None:
        at = 0
        while at + 5 <= len(data):
            kind = data[at : at + 1]
            (length,) = struct.unpack_from("!i", data, at + 1)
            body = data[at + 5 : at + 1 + length]
            at += 1 + length
            if kind == b"Q":
                self.sql_statements += 1
                self.sql_round_trips += 1
                self.sql_texts[_short(body.split(b"\0", 1)[0])] += 1
            elif kind == b"P":
                name, rest = body.split(b"\0", 1)
                self._names[name] = _short(rest.split(b"\0", 1)[0])
            elif kind == b"B":
                _portal, rest = body.split(b"\0", 1)
                name = rest.split(b"\0", 1)[0]
                self._bound.append(self._names.get(name, "?"))
            elif kind == b"E":
                self.sql_statements += 1
                self.sql_texts[self._bound.pop(0) if self._bound else "?"] += 1
            elif kind == b"S":
                self.sql_round_trips += 1
                self._bound.clear()

    def watch_engine(self, engine: AsyncEngine) -> None:
        """Count every connection `engine` opens from now on (the startup exchange excluded)."""

        def connected(dbapi_connection: Any, _record: Any) -> None:
            transport = dbapi_connection._connection._transport  # noqa: SLF001 - bench only
            write, writelines = transport.write, transport.writelines

            def counted_write(data: Any) -> None:
                self._frontend(bytes(data))
                write(data)

            def counted_writelines(buffers: Any) -> None:
                buffers = list(buffers)
                for data in buffers:
                    self._frontend(bytes(data))
                writelines(buffers)

            transport.write = counted_write
            transport.writelines = counted_writelines

        event.listen(engine.sync_engine, "connect", connected)

    # --- Redis ----------------------------------------------------------------------------

    def watch_redis(self) -> Any:
        """Count every Redis call of this process until the returned function is called."""
        command, execute = Redis.execute_command, Pipeline.execute
        wire = self

        async def counted_command(client: Redis, *args: Any, **options: Any) -> Any:
            wire.redis_round_trips += 1
            wire.redis_commands[str(args[0])] += 1
            return await command(client, *args, **options)

        async def counted_execute(pipe: Pipeline, *args: Any, **options: Any) -> Any:
            if pipe.command_stack:
                wire.redis_round_trips += 1
                names = "+".join(str(c[0][0]) for c in pipe.command_stack)
                wire.redis_commands[f"pipeline[{names}]"] += 1
            return await execute(pipe, *args, **options)

        Redis.execute_command = counted_command  # type: ignore[method-assign]
        Pipeline.execute = counted_execute  # type: ignore[method-assign]

        def stop() -> None:
            Redis.execute_command = command  # type: ignore[method-assign]
            Pipeline.execute = execute  # type: ignore[method-assign]

        return stop


WIDTH = int(os.environ.get("BENCH_SQL_WIDTH", "100"))


def _short(text: bytes) -> str:
    return " ".join(text.decode(errors="replace").split())[:WIDTH]
