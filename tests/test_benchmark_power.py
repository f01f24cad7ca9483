"""The power benchmark's re-measurement of a subset keeps the whole run's description."""

import json

from benchmarks.power import main


def test_remeasuring_a_prefix_keeps_the_run_and_lists_the_remeasurement(tmp_path):
    out = tmp_path / "power.json"
    earlier = {
        "schema": 1,
        "profile": "quick",
        "seeds": 50,
        "cheap_seeds": 200,
        "cheap_claims": ["other.claim"],
        "wall_seconds": 3600.0,
        "machine": {"cpus": 2, "jobs": 2},
        "claims": {"other.claim": {"seeds_run": 50, "meets_goal": True}},
    }
    out.write_text(json.dumps(earlier))
    claim = "halpern.lieder_bound"  # deterministic and cheap
    args = [claim, "--seeds", "2", "--cheap-seeds", "3", "--jobs", "1", "--out", str(out)]
    assert main(args) == 0
    doc = json.loads(out.read_text())
    assert doc["wall_seconds"] == 3600.0 and doc["seeds"] == 50  # the whole run's description
    assert doc["claims"]["other.claim"] == earlier["claims"]["other.claim"]
    assert doc["claims"][claim]["seeds_run"] == 3  # cheap: on to --cheap-seeds
    assert doc["cheap_claims"] == sorted(["other.claim", claim])
    (run,) = doc["remeasured"]
    assert run["claims"] == [claim] and run["seeds"] == 2 and run["machine"]["jobs"] == 1
