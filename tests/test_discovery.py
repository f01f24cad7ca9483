"""Registered theorem locations: an entry point whose module cannot be found is a problem that
names the entry point and the distribution that declares it."""

from __future__ import annotations

from proofs_checks.discovery import registered_locations


def test_missing_entry_point_module_is_reported_with_its_distribution(tmp_path, monkeypatch):
    info = tmp_path / "ext_missing-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ext-missing\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ratecheck.theorems]\ngone = no_such_theorems\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    problems = registered_locations().problems

    assert problems == [
        "entry point gone = 'no_such_theorems' (ext-missing): no such module",
    ]
