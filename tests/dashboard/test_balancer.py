"""The balancer in front of several dashboard servers (`jixiao serve --workers N`): a browser's
page sets a cookie naming its server and every later request with it goes there (its websocket
session, downloads and uploads live in that process); a request without it goes to the least
busy server; a server that is gone is skipped; bytes after the heads pass unchanged both ways
(websocket upgrades too). Tested against small fake servers that say who they are."""

from __future__ import annotations

import asyncio
import socket
import threading
from contextlib import contextmanager

import pytest

from jixiao.balancer import COOKIE, chosen_worker, serve_forever, with_cookie


def test_the_cookie_names_a_server_only_when_it_is_one_of_them():
    head = b"GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1; jixiao_worker=1; b=2\r\n\r\n"
    assert chosen_worker(head, 2) == 1
    assert chosen_worker(head, 1) is None  # no server 1 any more
    assert chosen_worker(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 2) is None
    assert chosen_worker(b"GET / HTTP/1.1\r\ncookie: not_jixiao_worker=1\r\n\r\n", 2) is None


def test_only_a_page_gets_the_cookie():
    html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 3\r\n\r\n"
    out = with_cookie(html, 1)
    assert out.endswith(b"\r\n\r\n") and out.startswith(html[:-2])
    assert f"Set-Cookie: {COOKIE}=1; Path=/; HttpOnly; SameSite=Lax".encode() in out
    js = b"HTTP/1.1 200 OK\r\nContent-Type: application/javascript\r\n\r\n"
    assert with_cookie(js, 1) == js


async def _fake_server(name: bytes) -> asyncio.AbstractServer:
    """An HTTP server on a free port answering every request with its name (an HTML page for /,
    text else); an Upgrade request gets 101 and then an echo of what follows."""

    async def handle(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await r.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                if b"upgrade: websocket" in head.lower():
                    w.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
                    while data := await r.read(1024):
                        w.write(name + b":" + data)
                        await w.drain()
                    break
                kind = b"text/html" if path == b"/" else b"text/plain"
                w.write(b"HTTP/1.1 200 OK\r\nContent-Type: " + kind + b"\r\nContent-Length: "
                        + str(len(name)).encode() + b"\r\n\r\n" + name)
                await w.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            w.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


@contextmanager
def _balanced(n_alive: int = 2, n: int = 2):
    """Fake servers a, b (only the first n_alive running) behind a balancer on a free port;
    yields that port. A server that is not running is a port bound but not listening, held for
    the test: a closed port could be handed to the next listener (even the balancer itself)."""
    ready = threading.Event()
    front: list[int] = []
    stop: list = []
    gone = [socket.socket() for _ in range(n - n_alive)]
    for s in gone:
        s.bind(("127.0.0.1", 0))  # no listen(): a connection to it is refused

    async def main() -> None:
        servers = [await _fake_server(b"ab"[k:k + 1]) for k in range(n_alive)]
        ports = ([srv.sockets[0].getsockname()[1] for srv in servers]
                 + [s.getsockname()[1] for s in gone])
        done = asyncio.Event()
        stop.append((asyncio.get_running_loop(), done))
        task = asyncio.ensure_future(serve_forever("127.0.0.1", 0, [("127.0.0.1", p) for p in ports],
                                                   ready=lambda port: (front.append(port), ready.set())))
        await done.wait()
        task.cancel()
        for srv in servers:
            srv.close()
        await asyncio.gather(task, return_exceptions=True)

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield front[0]
    finally:
        loop, done = stop[0]
        loop.call_soon_threadsafe(done.set)
        thread.join(10)
        for s in gone:
            s.close()


def _read_response(s: socket.socket) -> tuple[str, bytes]:
    """Reads one response (head, and a body of Content-Length bytes) from a socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        assert chunk, "connection closed"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += s.recv(4096)
    return head.decode(), body


def _request(port: int, path: str, cookie: str | None = None) -> tuple[str, bytes]:
    """One GET on a new connection; returns (its head, its body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n".encode() + (f"Cookie: {cookie}\r\n".encode() if cookie else b"")
                  + b"\r\n")
        return _read_response(s)


def test_a_browser_stays_on_the_server_its_page_came_from():
    with _balanced() as port:
        head, server = _request(port, "/")
        assert f"Set-Cookie: {COOKIE}={'ab'.index(server.decode())}" in head
        cookie = f"{COOKIE}={'ab'.index(server.decode())}"
        # its later requests — a download, an upload, a script's data — all go to that server
        for path in ("/media/x.xlsx", "/_stcore/upload_file/s/f", "/static/js/main.js", "/"):
            head, body = _request(port, path, cookie)
            assert body == server, path
            assert "Set-Cookie" not in head  # it has its cookie already
        # the other server, named by its cookie
        other = "ba"["ab".index(server.decode())]
        assert _request(port, "/media/y", f"{COOKIE}={'ab'.index(other)}")[1] == other.encode()


def test_requests_without_a_cookie_are_spread_and_a_server_gone_is_skipped():
    with _balanced() as port:
        # two connections open at once go to two servers (the least busy one each time)
        a = socket.create_connection(("127.0.0.1", port), timeout=5)
        b = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            for s in (a, b):
                s.sendall(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
            bodies = {_read_response(s)[1] for s in (a, b)}
            assert bodies == {b"a", b"b"}
        finally:
            a.close()
            b.close()
    with _balanced(n_alive=1) as port:  # server b is not running: its browsers go to a
        head, body = _request(port, "/", f"{COOKIE}=1")
        assert body == b"a" and f"Set-Cookie: {COOKIE}=0" in head


def test_an_upgraded_connection_is_piped_both_ways():
    with _balanced() as port:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(f"GET /_stcore/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Cookie: {COOKIE}=1\r\n\r\n".encode())
            data = b""
            while b"\r\n\r\n" not in data:
                data += s.recv(4096)
            assert data.startswith(b"HTTP/1.1 101")
            for msg in (b"hello", b"\x00\xff binary"):
                s.sendall(msg)
                got = b""
                while len(got) < len(msg) + 2:
                    got += s.recv(4096)
                assert got == b"b:" + msg


def test_a_request_head_too_large_is_refused():
    with _balanced() as port:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n")
            assert s.recv(4096).startswith(b"HTTP/1.1 431")


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_command_for_workers(workers, tmp_path):
    from jixiao.serve import streamlit_command

    cmd, env = streamlit_command(tmp_path / "x.duckdb", 8600, host="0.0.0.0", workers=workers)
    if workers == 1:
        assert cmd[2:4] == ["jixiao.serve", "run"] and "--server.address=0.0.0.0" in cmd
    else:  # the servers listen on loopback only; the balancer on the address asked for
        assert cmd[2:8] == ["jixiao.serve", "workers", "2", "0.0.0.0", "8600", "0"]
        assert "--server.address=127.0.0.1" in cmd and "--server.address=0.0.0.0" not in cmd
        assert "--server.headless=true" in cmd
