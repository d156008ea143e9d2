"""Worker processes of the server: they die with it, and the ones that read uploads live under limits.
A module of the package's top, importing only the standard library: a new worker imports it before
it can ask to die with its parent, so that comes within a fraction of a second of its start.

A worker is a spawned Python process (never forked from the threaded server). Its first act asks
Linux to kill it when the server goes (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), and a watchdog thread
ends it when its parent's pid changes, where that call is not available. The call ties the worker
to the *thread* that started it, so every worker is started by one long-lived thread per pool.

``Sandbox`` runs one function at a time per process with an address-space limit
(``RLIMIT_AS``) and a time limit: a worker that runs out of memory, crashes or overruns is killed
and replaced, and the caller gets ``WorkerFailed`` with the reason, never a broken server.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any

log = logging.getLogger("dualcarbon.workers")
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
M_ARENA_MAX = -8  # <malloc.h>
WATCHDOG_SECONDS = 0.5
START_SECONDS = 120  # for a new worker to start and warm up (imports, the factor library), on a busy machine


def die_with_parent(parent_pid: int) -> None:
    """In a worker: be killed when the process ``parent_pid`` ends (prctl on Linux, else a watchdog)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
                log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
        except (OSError, AttributeError):
            pass  # the watchdog below still ends the worker
    if os.getppid() != parent_pid:  # the parent died before the call above took effect
        os._exit(1)

    def watchdog() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCHDOG_SECONDS)
        os._exit(1)

    threading.Thread(target=watchdog, name="dualcarbon-watchdog", daemon=True).start()


def limited(parent_pid: int, memory_bytes: int | None, threads: int | None) -> None:
    """In a worker: die with the parent, at most ``memory_bytes`` of address space, ``threads`` for polars."""
    die_with_parent(parent_pid)
    if threads is not None:  # read by polars when first imported: fewer threads reserve less memory
        os.environ.setdefault("POLARS_MAX_THREADS", str(threads))
    if memory_bytes is not None:
        import resource

        if sys.platform.startswith("linux"):  # glibc reserves 64 MiB of address space per thread's arena
            try:
                ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)
            except (OSError, AttributeError):
                pass
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def _pid() -> int:
    return os.getpid()


class WorkerFailed(Exception):
    """Raised by ``Sandbox.call`` when the worker died, ran out of memory or overran its time."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        # "memory" (out of memory, or died: most often the kernel's doing) | "time" | "error" (it raised)
        # | "start" (no worker could be started: the server's trouble, not the call's)
        self.reason = reason
        self.detail = detail


class _Worker:
    """One process (a single-worker executor) and its pid, once it has started."""

    def __init__(self, executor: ProcessPoolExecutor, started: Future, warmed: Future | None):
        self.executor = executor
        self.started = started
        self.warmed = warmed

    def ready(self) -> None:
        """Wait until the process has started and warmed up (that time is not the call's)."""
        self.started.result(timeout=START_SECONDS)
        if self.warmed is not None:
            try:
                self.warmed.result(timeout=START_SECONDS)
            except (BrokenProcessPool, FutureTimeout):
                raise
            except Exception:  # noqa: BLE001 - a warm-up that failed only makes the first call slower
                log.exception("a worker's warm-up failed")

    def pid(self) -> int | None:
        try:
            return self.started.result(timeout=0) if self.started.done() else None
        except Exception:  # noqa: BLE001 - it never started
            return None

    def alive(self) -> bool:
        """False once the process has ended (killed while idle, say); True while it is starting."""
        if not self.started.done():
            return True
        pid = self.pid()
        if pid is None:
            return False
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
        except FileNotFoundError:
            return False
        except OSError:  # no /proc: ask the kernel whether the pid exists
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            return True

    def kill(self) -> None:
        pid = self.pid()
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.executor.shutdown(wait=False, cancel_futures=True)


class Sandbox:
    """``size`` worker processes, each computing one call at a time under a memory and a time limit."""

    def __init__(
        self,
        size: int,
        memory_bytes: int | None,
        seconds: float,
        threads: int | None = 2,
        warm: Callable[[], Any] | None = None,
    ):
        self.size = max(1, size)
        self.memory_bytes = memory_bytes
        self.seconds = seconds
        self.threads = threads
        self.warm = warm  # run in each new worker before its first call (imports, a library to cache)
        self._context = multiprocessing.get_context("spawn")
        self._free: queue.Queue[_Worker] = queue.Queue()
        self._starter: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the workers (in the background: calls wait for them)."""
        with self._lock:
            self._starter = ThreadPoolExecutor(1, thread_name_prefix="dualcarbon-sandbox")
        for _ in range(self.size):
            self._free.put(self._new())

    def stop(self) -> None:
        with self._lock:
            starter, self._starter = self._starter, None
        while True:
            try:
                self._free.get_nowait().kill()
            except queue.Empty:
                break
        if starter is not None:
            starter.shutdown(wait=True)

    def _new(self) -> _Worker:
        """A new worker, started by the one starter thread (its death signal is tied to that thread)."""

        def start() -> _Worker:
            executor = ProcessPoolExecutor(
                1,
                mp_context=self._context,
                initializer=limited,
                initargs=(os.getpid(), self.memory_bytes, self.threads),
            )
            started = executor.submit(_pid)
            return _Worker(executor, started, executor.submit(self.warm) if self.warm is not None else None)

        with self._lock:
            if self._starter is None:
                raise RuntimeError("the sandbox is not started")
            return self._starter.submit(start).result()

    def _submit(self, worker: _Worker, fn: Callable[..., Any], args: tuple[Any, ...]) -> Future:
        with self._lock:
            if self._starter is None:
                raise RuntimeError("the sandbox is not started")
            return self._starter.submit(worker.executor.submit, fn, *args).result()

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker; its result, or WorkerFailed. ``fn`` must be importable by name."""
        worker = self._free.get()
        if not worker.alive():
            self._release(worker, replace=True)
            worker = self._free.get()
        replace = True
        try:
            try:
                worker.ready()
                future = self._submit(worker, fn, args)
            except BrokenProcessPool as exc:  # it died idle (killed from outside): one more try on a new one
                worker.kill()
                worker = self._new()
                try:
                    worker.ready()
                    future = self._submit(worker, fn, args)
                except (BrokenProcessPool, FutureTimeout):
                    raise WorkerFailed("start", "the worker process could not start") from exc
            except FutureTimeout:
                raise WorkerFailed("start", f"the worker process did not start within {START_SECONDS} s") from None
            try:
                result = future.result(timeout=self.seconds)
            except FutureTimeout:
                raise WorkerFailed("time", f"not done within the server's limit of {self.seconds:g} s") from None
            except BrokenProcessPool:
                raise WorkerFailed("memory", "the worker process stopped abruptly (out of memory)") from None
            except MemoryError:
                raise WorkerFailed("memory", "out of the memory the server allows for it") from None
            except Exception as exc:  # noqa: BLE001 - what the call raised: the worker may be in any state
                log.exception("a call in a worker process failed")
                raise WorkerFailed("error", f"{exc.__class__.__name__}: {exc}") from None
            replace = False
            return result
        finally:
            self._release(worker, replace)

    def _release(self, worker: _Worker, replace: bool) -> None:
        """Give the worker back, or a new one in its place (none while stopping)."""
        if replace:
            worker.kill()
            try:
                worker = self._new()
            except RuntimeError:
                return
        self._free.put(worker)
