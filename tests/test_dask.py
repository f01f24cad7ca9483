"""Claims on a Dask cluster give the serial run's results, bit for bit apart from timings."""

from __future__ import annotations

import pytest

from proofs_checks.discovery import all_claims, select
from proofs_checks.execution import run_claims
from proofs_checks.results import build, strip_timings

distributed = pytest.importorskip("distributed", reason="the 'dask' extra is not installed")


def test_local_cluster_matches_serial():
    claims = select(all_claims(), ["handbook."])
    serial = build(run_claims(claims, seed=5, profile="quick"), 5, "quick", 0.0)
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        entries = run_claims(claims, seed=5, profile="quick", scheduler=cluster.scheduler_address)
    on_cluster = build(entries, 5, "quick", 0.0)
    assert len(on_cluster["claims"]) == len(claims) >= 4
    assert strip_timings(on_cluster) == strip_timings(serial)
