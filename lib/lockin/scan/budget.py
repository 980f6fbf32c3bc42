"""Per-file time and memory budgets: one hostile file cannot hang a scan or take the machine.

A scanned portfolio is code the team does not control: a vendored file, a
generated lock file, a hostile pull request. Each file is read under a
:class:`FileBudget` (``--file-timeout``, ``--file-memory``; defaults
:data:`DEFAULT_SECONDS` and :data:`DEFAULT_MEMORY_MB`):

- **time**: an interval timer (``SIGALRM``) interrupts the reader after
  the budget; Python code, regular expressions and the parsers written in
  Python stop there. Only the main thread of a process can take signals:
  elsewhere only the memory budget and the scan's watchdog hold.
- **memory**: the process's address-space limit (``RLIMIT_AS``) is set to
  what it uses now plus the budget while the file is read, so an
  allocation beyond it raises :class:`MemoryError` in the reader instead
  of the kernel killing the process (or the machine swapping).

A file over either budget is stopped and listed as skipped with the reason
("took longer than 10 s", "needed more than 1,024 MB"); the scan goes on
with the next file. Code that neither checks signals nor allocates (a
C loop) is caught by the scan's watchdog, which kills and replaces the
worker process (:mod:`lockin.scan.pipeline`).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["DEFAULT_SECONDS", "DEFAULT_MEMORY_MB", "FileBudget", "BudgetExceeded", "bounded"]

#: Seconds one file may take (``--file-timeout``).
DEFAULT_SECONDS = 10.0
#: Megabytes one file may allocate beyond what the process already uses (``--file-memory``).
DEFAULT_MEMORY_MB = 1024


class BudgetExceeded(BaseException):
    """A file took longer, or needed more memory, than its budget; ``reason`` says which.

    A ``BaseException``, as ``KeyboardInterrupt`` is: a reader's own
    ``except Exception`` must not swallow it and carry on.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FileBudget:
    """Time (seconds) and memory (megabytes) one file may take; 0 turns a bound off."""

    seconds: float = DEFAULT_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB

    @property
    def time_reason(self) -> str:
        return f"took longer than {self.seconds:g} s (--file-timeout)"

    @property
    def memory_reason(self) -> str:
        return f"needed more than {self.memory_mb:,} MB (--file-memory)"


def _timer_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _time_limit(budget: FileBudget) -> Iterator[None]:
    if not budget.seconds or not _timer_available():
        yield
        return

    def expire(signum, frame):
        raise BudgetExceeded(budget.time_reason)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, budget.seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _address_space_in_use() -> int | None:
    """The process's virtual size in bytes (Linux ``/proc``), or None elsewhere."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    import resource

    return pages * resource.getpagesize()


@contextlib.contextmanager
def _memory_limit(budget: FileBudget) -> Iterator[None]:
    try:
        import resource
    except ImportError:  # not a POSIX system: the watchdog alone
        yield
        return
    in_use = _address_space_in_use() if budget.memory_mb else None
    if in_use is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = in_use + budget.memory_mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    if soft != resource.RLIM_INFINITY and soft < limit:
        limit = soft  # a tighter limit set by the user stays
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def bounded(budget: FileBudget | None) -> Iterator[None]:
    """Run the body under ``budget``; raise :class:`BudgetExceeded` when it is exceeded.

    A :class:`MemoryError` inside becomes ``BudgetExceeded`` with the memory
    reason: the limit, not the machine, ran out.
    """
    if budget is None:
        yield
        return
    try:
        with _time_limit(budget), _memory_limit(budget):
            yield
    except MemoryError:
        raise BudgetExceeded(budget.memory_reason) from None
