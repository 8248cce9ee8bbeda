"""A throwaway Redis server and Celery worker processes on 127.0.0.1, bounded and self-stopping."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[2]
TASKS = "tests.integration.celery_tasks"
START_TIMEOUT = 30.0


def redis_server() -> str | None:
    """The path of the distribution's ``redis-server``, if installed."""
    return shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def running_redis(server: str) -> Iterator[str]:
    """Start ``redis-server`` on a free loopback port (no persistence); yield its URL."""
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603  # the distribution's redis-server, fixed args
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        _stop(process)


class Worker:
    """A ``celery worker`` process (solo pool) on the tasks module; its log in a temp file."""

    def __init__(
        self, url: str, *, queue: str, visibility_timeout: float = 3600.0, tasks: str = TASKS
    ) -> None:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "RAILGUARD_CELERY_URL": url,
            "RAILGUARD_CELERY_VISIBILITY": str(visibility_timeout),
        }
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed in stop()
            prefix=f"railguard-celery-{queue}-", suffix=".log"
        )
        self.process = subprocess.Popen(  # noqa: S603  # our own interpreter, fixed args
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                tasks,
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=INFO",
                "-Q",
                queue,
                "-n",
                f"{queue}-{os.getpid()}-{time.monotonic_ns()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-task, nothing acknowledged, nothing cleaned up."""
        _stop(self.process, signal.SIGKILL)

    def stop(self) -> None:
        """Stop the worker (warm shutdown, then kill) and drop its log."""
        _stop(self.process)
        self.log.close()

    def output(self) -> str:
        """The worker's log so far."""
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")


@contextmanager
def running_worker(
    url: str, *, queue: str = "celery", visibility_timeout: float = 3600.0, tasks: str = TASKS
) -> Iterator[Worker]:
    """A worker (on the ``tasks`` module) for the duration of the block."""
    worker = Worker(url, queue=queue, visibility_timeout=visibility_timeout, tasks=tasks)
    try:
        yield worker
    finally:
        worker.stop()
