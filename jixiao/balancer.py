"""One address in front of several dashboard server processes (`jixiao serve --workers N`).

A Streamlit server is one Python process: fifty people opening pages at once queue on one
interpreter while the machine's other cores idle. `serve` starts N servers on free loopback
ports and this balancer on the address people open. Each browser stays on one server for all
it asks — its websocket session, its downloads (/media) and uploads live in that process: the
page (an HTML response) sets a cookie naming the server, and every later request with that
cookie goes there. A request without it (the first one, a script, a health check) goes to the
server with the fewest open connections. Only the head of a connection's first request is
read (to route it) and the head of its first HTML response (to add the cookie); everything else
— HTTP keep-alive, websocket upgrades — is piped unchanged.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence

COOKIE = "jixiao_worker"
_COOKIE_RE = re.compile(rb"(?:^|;)\s*" + COOKIE.encode() + rb"=(\d+)")
HEAD_LIMIT = 64 * 1024  # a request head larger than this is refused (431)
HEAD_TIMEOUT = 30.0     # seconds a client may take to send its first request head
_CHUNK = 256 * 1024


def _header_values(head: bytes, name: bytes) -> list[bytes]:
    """Given an HTTP head and a lower-case header name, returns that header's values."""
    out = []
    for line in head.split(b"\r\n")[1:]:
        key, sep, value = line.partition(b":")
        if sep and key.strip().lower() == name:
            out.append(value.strip())
    return out


def chosen_worker(head: bytes, n: int) -> int | None:
    """Given a request head and the number of servers, returns the server its cookie names
    (None: no cookie, or one naming no server)."""
    for value in _header_values(head, b"cookie"):
        m = _COOKIE_RE.search(value)
        if m and 0 <= int(m.group(1)) < n:
            return int(m.group(1))
    return None


def with_cookie(head: bytes, worker: int) -> bytes:
    """Given a response head (ending in a blank line), returns it with the cookie that keeps
    the browser on `worker`, when it is an HTML page (the start of a visit); else unchanged."""
    content_types = _header_values(head, b"content-type")
    if not any(v.lower().startswith(b"text/html") for v in content_types):
        return head
    cookie = f"Set-Cookie: {COOKIE}={worker}; Path=/; HttpOnly; SameSite=Lax\r\n".encode()
    return head[:-2] + cookie + b"\r\n"


class Balancer:
    """Routes connections to the servers at `backends` ((host, port) each)."""

    def __init__(self, backends: Sequence[tuple[str, int]]):
        self.backends = list(backends)
        self.open = [0] * len(self.backends)

    def _order(self, preferred: int | None) -> list[int]:
        """The servers to try: the preferred one first, then the least busy."""
        rest = sorted(range(len(self.backends)), key=lambda i: (self.open[i], i))
        return ([preferred] + [i for i in rest if i != preferred]) if preferred is not None else rest

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(client_r.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
        except asyncio.LimitOverrunError:
            await _reply(client_w, b"431 Request Header Fields Too Large")
            return
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError):
            await _close(client_w)
            return
        preferred = chosen_worker(head, len(self.backends))
        for worker in self._order(preferred):
            self.open[worker] += 1  # counted before connecting: the next client sees it busy
            try:
                server_r, server_w = await asyncio.open_connection(*self.backends[worker], limit=HEAD_LIMIT)
            except OSError:
                self.open[worker] -= 1
                continue  # that server is gone: the next one (its page sets a new cookie)
            break
        else:
            await _reply(client_w, b"502 Bad Gateway")
            return
        requests = asyncio.ensure_future(_pipe(client_r, server_w))
        try:
            server_w.write(head)
            # the connection ends when the server's side does (a client that stops sending
            # may still be reading its last response)
            await self._responses(server_r, client_w, worker if preferred != worker else None)
        finally:
            requests.cancel()
            self.open[worker] -= 1
            await _close(server_w)
            await _close(client_w)

    async def _responses(self, server_r: asyncio.StreamReader, client_w: asyncio.StreamWriter,
                         set_cookie: int | None) -> None:
        """Pipes the server's responses to the client, the cookie added to the first head when
        `set_cookie` names the server (the request came without a valid one)."""
        if set_cookie is not None:
            try:
                head = await server_r.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                return
            client_w.write(with_cookie(head, set_cookie))
        await _pipe(server_r, client_w)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(_CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            if writer.can_write_eof():
                writer.write_eof()
        except (OSError, RuntimeError):
            pass


async def _reply(writer: asyncio.StreamWriter, status: bytes) -> None:
    try:
        writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        await writer.drain()
    except ConnectionError:
        pass
    await _close(writer)


async def _close(writer: asyncio.StreamWriter) -> None:
    try:
        writer.close()
        await writer.wait_closed()
    except (ConnectionError, OSError):
        pass


async def serve_forever(host: str, port: int, backends: Sequence[tuple[str, int]], ready=None) -> None:
    """Listens on host:port (0: a free port) and routes to the backends until cancelled; calls
    `ready(port)` once the port is open."""
    balancer = Balancer(backends)
    server = await asyncio.start_server(balancer.handle, host, port, limit=HEAD_LIMIT, reuse_address=True)
    if ready:
        ready(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()
