"""Executors: where replications run. One interface, used as a context manager.

``submit_all(fn, tasks)`` yields ``(task, result)`` pairs as tasks finish, in any
order; callers put results in order by their task. Because every replication's
randomness comes from its own seed, the results do not depend on the executor or
on the number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context
from types import TracebackType
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Executor(Protocol):
    """Runs ``fn(task)`` for many tasks."""

    name: str

    def __enter__(self) -> Executor: ...

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None: ...

    def submit_all(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]: ...


class InProcess:
    """Runs tasks one after another in this process (for debugging and notebooks)."""

    name = "in-process"

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        return None

    def submit_all(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        for task in tasks:
            yield task, fn(task)


class LocalPool:
    """A pool of worker processes on this machine.

    At most ``2 * workers`` tasks are in flight at once, so memory stays flat
    however many tasks there are.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self.name = f"local pool of {self.workers}"
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalPool:
        # "spawn" gives every worker a clean interpreter on every platform.
        self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"))
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=et is None, cancel_futures=et is not None)
            self._pool = None

    def submit_all(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        assert self._pool is not None, "use LocalPool as a context manager"
        pending: dict[Future[R], T] = {}
        it = iter(tasks)
        limit = 2 * self.workers
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < limit:
                try:
                    task = next(it)
                except StopIteration:
                    exhausted = True
                    break
                pending[self._pool.submit(fn, task)] = task
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield pending.pop(fut), fut.result()


def make_executor(workers: int | None) -> Executor:
    """In-process for ``workers == 0``, else a local pool (default: one per CPU)."""
    if workers == 0:
        return InProcess()
    return LocalPool(workers)
