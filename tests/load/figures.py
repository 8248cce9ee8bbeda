"""The tallies a flood keeps, the server's memory while it runs, and their report lines."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Final, Literal

from .server import cpu_seconds, peak_rss_kib, rss_kib

Verdict = Literal["ok", "mixed", "wrong", "secret"]
"""One answer checked: right, another request's, wrong in another way, or leaking a secret."""

EXAMPLES: Final = 5
"""How many bad answers a tally keeps to show."""

SAMPLE_EVERY: Final = 0.05
"""Seconds between two reads of the server's resident set size."""


def foreign_ids(text: str, own: str, pattern: re.Pattern[str]) -> set[str]:
    """The request ids in ``text`` other than ``own`` (any one means a mixed-up answer)."""
    return set(pattern.findall(text)) - {own}


@dataclass
class Memory:
    """The server's resident set size (KiB): before the flood, after it, highest sampled."""

    before: int = 0
    after: int = 0
    peak: int = 0
    high_water: int = 0  # VmHWM: the highest since the process started

    @property
    def growth_mib(self) -> float:
        """What the flood left behind: after minus before, in MiB."""
        return (self.after - self.before) / 1024

    @property
    def peak_growth_mib(self) -> float:
        """The highest sampled size above the start, in MiB."""
        return (self.peak - self.before) / 1024


@dataclass
class Tally:
    """What one flood counted."""

    phase: str
    concurrency: int
    sent: int = 0
    answered: int = 0
    ok: int = 0
    lost: int = 0
    mixed: int = 0
    wrong: int = 0
    secrets: int = 0
    connections: int = 0
    seconds: float = 0.0
    server_cpu: float = 0.0  # CPU seconds the server used during the flood
    memory: Memory = field(default_factory=Memory)
    examples: list[str] = field(default_factory=list)

    def count(self, verdict: Verdict, note: str) -> None:
        """Count one checked answer; keep the first few bad ones."""
        self.answered += 1
        if verdict == "ok":
            self.ok += 1
            return
        if verdict == "mixed":
            self.mixed += 1
        elif verdict == "secret":
            self.secrets += 1
        else:
            self.wrong += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(f"{verdict}: {note}")

    def lose(self, how_many: int, note: str) -> None:
        """Count answers that never came."""
        self.lost += how_many
        if len(self.examples) < EXAMPLES:
            self.examples.append(f"lost {how_many}: {note}")

    @property
    def bad(self) -> int:
        """Every answer that was lost, mixed up, wrong or leaking."""
        return self.lost + self.mixed + self.wrong + self.secrets

    def lines(self, unit: str) -> list[str]:
        """The report of this flood, one figure per line."""
        rate = self.sent / self.seconds if self.seconds else 0.0
        cpu_ms = 1000 * self.server_cpu / self.sent if self.sent else 0.0
        mem = self.memory
        out = [
            f"{self.phase}:",
            f"  {unit} sent        {self.sent:>10,}   ({rate:,.0f}/s over {self.seconds:.1f} s)",
            f"  concurrency      {self.concurrency:>10,}",
            f"  server CPU       {cpu_ms:>10.2f} ms per {unit[:-1]} ({self.server_cpu:.1f} s)",
        ]
        if self.connections:
            out.append(f"  connections      {self.connections:>10,}")
        out += [
            f"  answered right   {self.ok:>10,}",
            f"  lost             {self.lost:>10,}",
            f"  mixed up         {self.mixed:>10,}",
            f"  wrong / undecodable {self.wrong:>7,}",
            f"  secrets on wire  {self.secrets:>10,}",
            f"  server RSS       {mem.before / 1024:.1f} MiB before, {mem.after / 1024:.1f} after, "
            f"{mem.peak / 1024:.1f} peak (growth {mem.growth_mib:+.1f} MiB, "
            f"peak {mem.peak_growth_mib:+.1f} MiB)",
        ]
        out += [f"  ! {example}" for example in self.examples]
        return out


@contextlib.asynccontextmanager
async def watching(pid: int, tally: Tally, settle: float) -> AsyncIterator[None]:
    """Sample ``pid``'s memory and CPU time while the block runs.

    ``memory.after`` is read ``settle`` seconds after the block, once the connections
    have closed.
    """
    memory = tally.memory
    memory.before = memory.peak = rss_kib(pid)
    cpu_before = cpu_seconds(pid)
    stop = asyncio.Event()

    async def sample() -> None:
        while not stop.is_set():
            memory.peak = max(memory.peak, rss_kib(pid))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SAMPLE_EVERY)

    sampler = asyncio.create_task(sample())
    try:
        yield
    finally:
        stop.set()
        await sampler
        tally.server_cpu = cpu_seconds(pid) - cpu_before
        await asyncio.sleep(settle)
        memory.after = rss_kib(pid)
        memory.peak = max(memory.peak, memory.after)
        memory.high_water = peak_rss_kib(pid)
