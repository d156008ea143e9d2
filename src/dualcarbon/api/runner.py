"""Runs in the background: the API queues a run and answers at once; worker threads of the server
claim queued runs, lay out their stored inputs as a project folder, and have the main job
(``project.job.run``, the CLI's own) compute it in a separate process, so a long run never holds
the server. Progress steps go to the store as the job reports them; clients poll the run.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import queue
import tempfile
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from dualcarbon.api.errors import problems_message
from dualcarbon.errors import Problem
from dualcarbon.project.execute import execute
from dualcarbon.store import Store
from dualcarbon.store import folder as layout
from dualcarbon.workers import die_with_parent

log = logging.getLogger("dualcarbon.api.runs")
# The main job's progress steps (``project.job.run``), then storing the outputs.
STEPS = ("load", "compute", "optimize", "report", "write", "store")  # "optimize" only with a pathway
TERMINAL = ("succeeded", "failed")


class Runner:
    """Worker threads that take queued runs, one at a time each, and a process pool that computes them."""

    def __init__(self, store: Store, workers: int = 1, poll_seconds: float = 0.2, scratch: Path | None = None):
        self.store = store
        self.scratch = scratch  # where run folders are laid out (None: the system's temporary folder)
        self.workers = max(1, workers)
        self.poll_seconds = poll_seconds
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._pool: ProcessPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self.changes = 0  # bumped on every status or progress change (long polls watch it)
        self._changes_lock = threading.Lock()
        self._stopping = threading.Event()

    def start(self) -> None:
        """Fail the runs a stopped server left running, resume the queued ones, start the workers."""
        interrupted = self.store.fail_interrupted_runs()
        if interrupted:
            log.warning("%d run(s) interrupted by the last stop were marked failed", interrupted)
        self._stopping.clear()
        self._pool = self._new_pool()
        for run_id in self.store.queued_runs():
            self._queue.put(run_id)
        for i in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"dualcarbon-run-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def submit(self, run_id: str) -> None:
        self._queue.put(run_id)

    def stop(self) -> None:
        """Finish the runs under way; queued ones stay queued in the store, for the next start."""
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def _notify(self) -> None:
        with self._changes_lock:
            self.changes += 1

    def _work(self) -> None:
        while (run_id := self._queue.get()) is not None:
            if self._stopping.is_set():
                continue
            try:
                self._run(run_id)
            except Exception:  # noqa: BLE001 - a worker thread must survive any one run
                log.exception("run %s could not be completed", run_id)
                self.store.finish_run(
                    run_id, None, None, {"code": "internal", "message": "the run could not be completed"}
                )
            self._notify()

    def _run(self, run_id: str) -> None:
        if not self.store.claim_run(run_id):
            return  # taken by another worker, or no longer queued
        self._notify()
        run = self.store.run_by_id(run_id)
        assert run is not None, "a run just claimed exists (runs are never deleted)"
        inputs = self.store.run_inputs(run["org_id"], run_id)
        placed = [(row, row["path"]) for row in inputs]
        if self.scratch is not None:
            self.scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="run-", dir=self.scratch) as tmp:
            root = Path(tmp) / "project"
            layout.write(root, ((row["path"], self.store.blob(row["sha256"])) for row in inputs))
            options = _options(run)
            future = self._submit(
                str(root),
                lang=options.get("lang"),
                pathway=bool(options.get("pathway")),
                emissions=options.get("emissions") or "auto",
                pdf=bool(options.get("pdf")),
                footprint=bool(options.get("footprint")),
                iterations=options.get("iterations"),
            )
            step = None
            while True:
                try:
                    outcome = future.result(timeout=self.poll_seconds)
                    break
                except FutureTimeout:
                    step = self._progress(run_id, Path(tmp) / "progress", step, bool(options.get("pathway")))
                except BrokenProcessPool:  # the worker process died (killed, out of memory): a new pool
                    self._renew_pool()
                    outcome = {
                        "ok": False,
                        "internal": "the worker process computing the run stopped abruptly (out of memory?)",
                        "traceback": "",
                    }
                    break
            if outcome["ok"]:
                self.store.run_progress(run_id, "store", _done("store", bool(options.get("pathway"))))
                self._notify()
                out = root / "out"
                # the files, not their bytes: the store reads a large one part by part (Store.finish_run)
                outputs: dict[str, bytes | Path] = {p.name: p for p in sorted(out.iterdir()) if p.is_file()}
                summary = _summary(outputs)
                self.store.finish_run(run_id, outputs, summary.get("factor_sets"), None)
            elif "problems" in outcome:
                lang = str(options.get("lang") or "en")
                record = layout.problem_mapper(placed, lang)
                problems = [record(Problem(**p)) for p in outcome["problems"]]
                message = problems_message(len(problems), lang)
                self.store.finish_run(
                    run_id, None, None, {"code": "invalid_input", "message": message, "problems": problems}
                )
            else:
                log.error("run %s failed: %s", run_id, outcome["traceback"])
                self.store.finish_run(run_id, None, None, {"code": "internal", "message": outcome["internal"]})

    def _submit(self, root: str, **job: Any) -> Future:
        """``execute`` on ``root`` in the pool, with its keyword arguments ``job``."""
        with self._pool_lock:
            assert self._pool is not None, "the runner is not started"
            return self._pool.submit(execute, root, **job)

    def _renew_pool(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # Started by the worker threads (which live until stop()): the workers' death signal is tied
        # to the thread that started them (workers.die_with_parent).
        return ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        )

    def _progress(self, run_id: str, progress_file: Path, last: str | None, pathway: bool) -> str | None:
        try:
            step = progress_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return last
        if step != last and step in STEPS:
            self.store.run_progress(run_id, step, _done(step, pathway))
            self._notify()
        return step


def _done(step: str, pathway: bool = True) -> int:
    """Steps done when ``step`` starts (an inventory run has no "optimize" step)."""
    done = STEPS.index(step)
    return done if pathway or done <= STEPS.index("optimize") else done - 1


def _options(run: dict) -> dict:
    return json.loads(run["options_json"])


def _summary(outputs: dict[str, bytes | Path]) -> dict:
    """summary.json of the outputs; a footprint's footprint.json (its ``factor_sets`` are what the run cites)."""
    name = "summary.json" if "summary.json" in outputs else "footprint.json"
    if name not in outputs:
        return {}
    data = outputs[name]
    return json.loads(data.read_bytes() if isinstance(data, Path) else data)
