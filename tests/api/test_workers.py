"""The sandbox of worker processes: a call that takes too much memory or time, or whose worker dies,
fails with the reason, and the sandbox goes on with a new worker."""

from __future__ import annotations

import os
import time

import hostile
import pytest

from dualcarbon.workers import Sandbox, WorkerFailed

MiB = 1024 * 1024


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(1, memory_bytes=1024 * MiB, seconds=20)
    box.start()
    yield box
    box.stop()


def test_a_call_answers_from_another_process(sandbox):
    assert sandbox.call(hostile.hoard, 10) == 10
    assert sandbox.call(os.getpid) != os.getpid()


def test_a_call_past_the_memory_limit_fails_and_the_next_call_works(sandbox):
    with pytest.raises(WorkerFailed) as failed:
        sandbox.call(hostile.hoard, 2048)
    assert failed.value.reason == "memory"
    assert sandbox.call(hostile.hoard, 10) == 10


def test_a_worker_that_dies_is_replaced(sandbox):
    before = sandbox.call(os.getpid)
    with pytest.raises(WorkerFailed) as failed:
        sandbox.call(hostile.crash)
    assert failed.value.reason == "memory"
    after = sandbox.call(os.getpid)
    assert after != before
    os.kill(after, 9)  # killed while idle (by the kernel's OOM killer, say): the next call gets a new worker
    deadline = time.monotonic() + 10
    while _alive(after) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sandbox.call(os.getpid) not in (before, after)


def test_an_exception_of_the_call_is_a_failure_and_the_worker_is_replaced(sandbox):
    before = sandbox.call(os.getpid)
    with pytest.raises(WorkerFailed) as failed:
        sandbox.call(hostile.fail, "no such thing")
    assert failed.value.reason == "error" and failed.value.detail == "ValueError: no such thing"
    assert sandbox.call(os.getpid) != before


def test_a_call_past_the_time_limit_is_stopped():
    box = Sandbox(1, memory_bytes=None, seconds=1.5)
    box.start()
    try:
        worker = box.call(os.getpid)
        started = time.monotonic()
        with pytest.raises(WorkerFailed) as failed:
            box.call(hostile.sleep, 60)
        assert failed.value.reason == "time" and time.monotonic() - started < 10
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{worker}") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(worker)  # the overrunning worker was killed, not left running
        assert box.call(hostile.sleep, 0) == 0
    finally:
        box.stop()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
