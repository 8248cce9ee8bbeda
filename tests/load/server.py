"""The load server in its own process: ``python -m tests.load.server`` prints its port.

The parent side, `running_server`, starts it on 127.0.0.1 port 0, waits for the
port, and stops it (terminate, then kill) however the block ends. `rss_kib` and
`peak_rss_kib` read the child's memory from ``/proc/<pid>/status``, `cpu_seconds`
its CPU time from ``/proc/<pid>/stat``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Server:
    """A running load server: its base URL and process id."""

    url: str
    pid: int

    @property
    def ws_url(self) -> str:
        """The ``ws://`` base URL."""
        return self.url.replace("http://", "ws://", 1)


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(f"{field} not in /proc/{pid}/status")


def rss_kib(pid: int) -> int:
    """The process' resident set size now (``VmRSS``), in KiB."""
    return _status_kib(pid, "VmRSS")


def peak_rss_kib(pid: int) -> int:
    """The process' highest resident set size so far (``VmHWM``), in KiB."""
    return _status_kib(pid, "VmHWM")


def cpu_seconds(pid: int) -> float:
    """The CPU time the process has used so far (user and system), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def running_server() -> Iterator[Server]:
    """Start the load server in a subprocess; yield it; stop it."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(  # our own interpreter and module
            [sys.executable, "-m", "tests.load.server"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            port = _read_port(process)
        except RuntimeError as exc:
            process.kill()
            process.wait(STOP_TIMEOUT)
            log.seek(0)
            raise RuntimeError(f"{exc}; its output:\n{log.read()[-3000:].decode()}") from None
        try:
            yield Server(f"http://127.0.0.1:{port}", process.pid)
        finally:
            process.terminate()
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT)
            if process.stdout is not None:
                process.stdout.close()


def _read_port(process: subprocess.Popen[str]) -> int:
    assert process.stdout is not None  # a pipe was asked for
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(STARTUP_TIMEOUT):
            raise RuntimeError("the load server did not start in time")
    line = process.stdout.readline()
    if not line.strip().isdigit():
        raise RuntimeError(f"the load server did not start (exit code {process.poll()})")
    return int(line)


def main() -> None:
    """Serve the load app with uvicorn on 127.0.0.1, an ephemeral port; print the port."""
    import uvicorn  # only the server process needs it

    from .app import build_app

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only then;
    # without it, Nagle and delayed ACKs add 40 ms to every keep-alive response
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        build_app(),
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="websockets-sansio",
        backlog=2048,
    )
    sock.listen(2048)  # connections wait in the backlog until uvicorn accepts them
    print(sock.getsockname()[1], flush=True)  # the parent reads it
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
