"""Running claims: serially, over local processes, or on a Dask cluster, with one code path.

Every claim's random numbers derive from the root seed and the claim id alone, so where a claim
runs (which process, which order) cannot change its result: a parallel run's results.json equals
the serial run's apart from timings.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from contextlib import AbstractContextManager, ExitStack, nullcontext
from pathlib import Path
from typing import Any

from .claims import Claim
from .records import ClaimRecord


def evaluate_record(
    c: Claim, seed: int, profile: str, executor: Executor | None = None
) -> ClaimRecord:
    """Evaluate one claim to its record: the one path the plugin and the command line share.

    ``executor``: workers a ``parallel`` claim spreads its pieces over. Never raises for a
    problem of the claim: a malformed spec or data, or a simulator error,
    becomes an inconclusive record with the error and its traceback, never confirmed.
    """
    try:
        return c.evaluate(seed=seed, profile=profile, executor=executor)
    except Exception as exc:  # reported in the results, never silently dropped
        return c.error_record(seed, profile, exc)


def evaluate_entry(
    c: Claim, seed: int, profile: str, executor: Executor | None = None
) -> dict[str, Any]:
    """A claim's results.json entry (JSON values), for transport between processes."""
    return evaluate_record(c, seed, profile, executor).to_json()


def locate(c: Claim) -> tuple[str, str]:
    """Where a worker process finds a claim: its module's import name and its file."""
    import inspect

    return c.module, inspect.getsourcefile(c.func) or ""


def share_of_threads(workers: int) -> AbstractContextManager[Any]:
    """While a claim runs in one of ``workers`` processes on this machine: its BLAS and OpenMP
    thread pools limited to the process's share of the cores (cores // workers, at least 1).

    Each process's OpenBLAS otherwise starts a thread per core, and the processes' threads
    contend for the same cores (waiting threads spin): on 2 cores with two pytest-xdist
    workers that cost the suite 9 CPU-s and 5 s of its 62. Only the claim's own run is limited.
    Numbers may differ from a run with more threads in the last bits of a reduction, as they do
    between machines with different core counts.
    """
    cores = os.cpu_count() or 1
    if workers < 2 or cores < 2:
        return nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=max(1, cores // workers))


def evaluate_by_id(
    claim_id: str, seed: int, profile: str, where: tuple[str, str], workers: int = 1
) -> dict[str, Any]:
    """Worker entry point: import the claim's module in this process and evaluate the claim
    (with this process's :func:`share_of_threads` among ``workers`` local ones).

    Only the claim's own module is imported, so one broken module cannot stop the others.
    """
    import importlib

    from .claims import claims_in
    from .discovery import module_from_path

    module_name, path = where
    if module_name.startswith("ratecheck_ext_") and path:
        module = module_from_path(Path(path))
    else:
        module = importlib.import_module(module_name)
    by_id = {c.id: c for c in claims_in(module)}
    with share_of_threads(workers):
        return evaluate_entry(by_id[claim_id], seed, profile)


def run_claims(
    claims: Iterable[Claim],
    *,
    seed: int,
    profile: str,
    jobs: int = 1,
    scheduler: str | None = None,
    local_dask: bool = False,
    progress: Callable[[str, bool], None] | None = None,
) -> list[dict[str, Any]]:
    """Evaluate claims and return their entries, in the order given.

    ``jobs > 1`` uses local processes; ``scheduler`` (an address) or ``local_dask`` use a Dask
    cluster through its ``concurrent.futures`` executor, the same code path.
    """
    claims = list(claims)
    report = progress or (lambda _cid, _finished: None)
    if jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {jobs}")
    if jobs == 1 and scheduler is None and not local_dask:
        entries = []
        for c in claims:
            report(c.id, False)
            entries.append(evaluate_entry(c, seed, profile))
            report(c.id, True)
        return entries
    with ExitStack() as stack:
        executor = stack.enter_context(_executor(jobs, scheduler, local_dask, stack))
        # A parallel claim is coordinated from here, in a thread, and spreads its pieces over
        # the workers. The other claims are fed at most `jobs` at a time, so the pieces never
        # wait behind the whole queue: the longest claims finish early instead of last.
        coordinator = stack.enter_context(ThreadPoolExecutor(max_workers=max(1, jobs)))
        futures: dict[Future, str] = {
            coordinator.submit(evaluate_entry, c, seed, profile, executor): c.id
            for c in claims
            if c.parallel
        }
        coordinated = set(futures.values())
        waiting = [c for c in claims if not c.parallel]
        results: dict[str, dict[str, Any]] = {}
        while futures or waiting:
            in_flight = sum(1 for cid in futures.values() if cid not in coordinated)
            while waiting and in_flight < jobs:
                c = waiting.pop(0)
                # local processes share this machine's cores; a cluster's workers do not
                local = jobs if scheduler is None and not local_dask else 1
                task = executor.submit(evaluate_by_id, c.id, seed, profile, locate(c), local)
                futures[task] = c.id
                in_flight += 1
            done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for future in done:
                cid = futures.pop(future)
                results[cid] = future.result()
                report(cid, True)
    return [results[c.id] for c in claims]


def _executor(jobs: int, scheduler: str | None, local_dask: bool, stack: ExitStack) -> Executor:
    if scheduler is None and not local_dask:
        return ProcessPoolExecutor(max_workers=jobs)
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("Dask runs need the 'dask' extra: pip install 'ratecheck[dask]'") from exc
    if scheduler is not None:
        client = stack.enter_context(Client(scheduler))
    else:
        cluster = stack.enter_context(
            LocalCluster(
                n_workers=max(jobs, 2),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            )
        )
        client = stack.enter_context(Client(cluster))
    return client.get_executor()
