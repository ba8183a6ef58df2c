"""Executors: where replications run. One interface, used as a context manager.

``submit_all(fn, tasks)`` yields ``(task, result)`` pairs as tasks finish, in any
order; callers put results in order by their task. Because every replication's
randomness comes from its own seed, the results do not depend on the executor or
on the number of workers.

* :class:`InProcess` — one after another, here (debugging, notebooks);
* :class:`LocalPool` — worker processes on this machine;
* :class:`DaskExecutor` — a Dask distributed cluster: a running one by its
  scheduler address, or a :class:`distributed.LocalCluster` started on the
  loopback interface only.

Every executor keeps a bounded number of tasks in flight and takes tasks from
an iterator lazily, so a sweep of any size needs memory for a few tasks only.

Worker processes never outlive the process that started them: a local pool's
workers leave Ctrl-C to their parent, are ended when it stops for any reason
other than success, and watch their parent, exiting within a second when it is
gone (killed with SIGKILL, say); Dask's worker processes do the same through
their nanny's pipe.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import threading
import time
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


PARENT_CHECK_SECONDS = 0.5
"""How often a pool worker checks that its parent is alive."""


def _worker_init(parent: int) -> None:
    """Start a pool worker: Ctrl-C is the parent's to handle, and the worker exits
    on its own when the parent is gone (its parent id changes when it is orphaned)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):  # blocked since its start (see _interrupts_held)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # orphaned: nobody will read the results


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C back while workers may be started.

    A worker starts with its parent's blocked signals, so a Ctrl-C that reaches
    the whole process group while a worker is still importing stays pending until
    the worker has chosen to ignore it (no traceback per worker); here, it is
    delivered as soon as the block ends.
    """
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


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
        self._pool = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                         initializer=_worker_init, initargs=(os.getpid(),))
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if et is None:
            pool.shutdown(wait=True)
            return
        # Stopped or failed: end the workers now rather than wait for their tasks.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        for process in processes:
            process.join(timeout=5)

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
                with _interrupts_held():  # a submit may start a worker process
                    pending[self._pool.submit(fn, task)] = task
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield pending.pop(fut), fut.result()


class DaskExecutor:
    """Tasks on a Dask distributed cluster: a running one, or a local one started here.

    Parameters
    ----------
    scheduler
        Address of a running scheduler (``tcp://HOST:PORT``); ``None`` starts a
        :class:`distributed.LocalCluster` of ``workers`` processes listening on
        the loopback interface only (127.0.0.1), without a dashboard.
    workers
        Worker processes of a local cluster (default: one per CPU); for a running
        cluster, tasks in flight are bounded by twice the cluster's threads.

    Notes
    -----
    The function and each task are sent to the workers; what ``fn`` returns comes
    back to this process, so return small things (tables, metrics), not whole
    :class:`~sim.engine.Results`. Dask retries a task whose worker was lost.
    """

    def __init__(self, scheduler: str | None = None, workers: int | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers or os.cpu_count() or 1
        where = scheduler or f"local cluster of {self.workers} on 127.0.0.1"
        self.name = f"dask ({where})"
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        from distributed import Client, LocalCluster

        if self.scheduler is None:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                worker_dashboard_address=None,
            )
            self._client = Client(self._cluster)
        else:
            self._client = Client(self.scheduler)
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if et is not None:  # stopped: cancelled tasks and killed workers are expected, not news
            logging.getLogger("distributed").setLevel(logging.ERROR)
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def _slots(self) -> int:
        if self.scheduler is None:
            return self.workers
        threads = self._client.nthreads() if self._client is not None else {}
        return max(1, sum(threads.values()))

    def submit_all(self, fn: Callable[[T], R], tasks: Iterable[T]) -> Iterator[tuple[T, R]]:
        from distributed import as_completed

        assert self._client is not None, "use DaskExecutor as a context manager"
        it = iter(tasks)
        limit = 2 * self._slots()
        pending: dict[str, T] = {}
        running = as_completed([], with_results=False)
        for task in itertools.islice(it, limit):
            fut = self._client.submit(fn, task, pure=False)
            pending[fut.key] = task
            running.add(fut)
        for fut in running:
            task = pending.pop(fut.key)
            result = fut.result()
            fut.release()
            nxt = next(it, _END)
            if nxt is not _END:
                new = self._client.submit(fn, nxt, pure=False)
                pending[new.key] = nxt
                running.add(new)
            yield task, result


_END: Any = object()


def make_executor(
    workers: int | None = None, scheduler: str | None = None, cluster: str | None = None
) -> Executor:
    """Choose an executor from command-line style options.

    Parameters
    ----------
    workers
        ``0``: in this process; ``n``: a local pool of ``n`` processes (or the
        workers of a local Dask cluster); ``None``: one per CPU.
    scheduler
        Address of a running Dask scheduler (``tcp://HOST:PORT``).
    cluster
        ``"local"`` starts a Dask cluster on this machine (loopback only).

    Returns
    -------
    Executor
        Not yet entered; use it in a ``with`` block.
    """
    if scheduler is not None and cluster is not None:
        raise ValueError("give either a scheduler address or --cluster local, not both")
    if scheduler is not None:
        return DaskExecutor(scheduler=scheduler)
    if cluster is not None:
        if cluster != "local":
            raise ValueError(f"unknown cluster {cluster!r} (only 'local' is known)")
        return DaskExecutor(workers=workers or None)
    if workers == 0:
        return InProcess()
    return LocalPool(workers)
