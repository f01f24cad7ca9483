"""The ``ratecheck`` command line (also ``python -m proofs_checks``).

Exit status: 0 when every claim run has its expected verdict (and every mutant is refuted),
1 otherwise (or, for ``compare``, when something changed), 2 on a usage error. Errors are one
line on stderr, not a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .claims import DEFAULT_SEED, PROFILES
from .errors import ClaimError


class UsageError(Exception):
    """A mistake in how the command was called (exit status 2)."""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="root seed (default %(default)s)")
    p.add_argument("--profile", choices=PROFILES, default="quick", help="horizons and replicates")
    p.add_argument("--jobs", type=int, default=1, help="local processes for independent claims")
    p.add_argument(
        "--scheduler", metavar="ADDRESS", default=None, help="run on a Dask cluster at ADDRESS"
    )
    p.add_argument("--dask", action="store_true", help="run on a local Dask cluster")
    p.add_argument(
        "--path", action="append", default=[], type=Path, help="extra theorem module or directory"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ratecheck", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    ls = sub.add_parser("list", help="the claims, one a line: id, kind, paper")
    ls.add_argument("--kind", help="only claims of this kind (power_law, bound, ...)")
    ls.add_argument("--paper", help="only claims whose paper title or authors contain TEXT")
    ls.add_argument("--path", action="append", default=[], type=Path)

    show = sub.add_parser("show", help="a claim's statement, assumptions and mutants")
    show.add_argument("id")
    show.add_argument("--results", type=Path, help="a results.json to take the last verdict from")
    show.add_argument("--path", action="append", default=[], type=Path)

    run = sub.add_parser("run", help="run claims (all, or those whose id starts with a prefix)")
    run.add_argument("prefixes", nargs="*", metavar="ID_PREFIX")
    run.add_argument("--out", type=Path, help="also write OUT/results.json")
    _common(run)

    rep = sub.add_parser("report", help="run claims and write results.json and the report")
    rep.add_argument("prefixes", nargs="*", metavar="ID_PREFIX")
    rep.add_argument("--out", type=Path, default=Path("reports/latest"))
    _common(rep)

    cmp = sub.add_parser("compare", help="what changed between two results.json files")
    cmp.add_argument("old", type=Path)
    cmp.add_argument("new", type=Path)

    new = sub.add_parser("new", help="scaffold a theorem module that runs and passes as written")
    new.add_argument("name", help="module name, a lower-case Python identifier")
    new.add_argument("--dir", type=Path, default=Path("theorems"))
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser().parse_args(args_list)
    except SystemExit as exc:  # argparse has printed its one-line message
        return 2 if exc.code else 0
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"ratecheck: error: {exc}", file=sys.stderr)
        return 2
    except (ClaimError, ValueError, ImportError, OSError) as exc:
        print(f"ratecheck: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


def _claims(paths):
    from .discovery import all_claims

    return all_claims(paths)


def cmd_list(args) -> int:
    claims = _claims(args.path)
    if args.kind:
        claims = [c for c in claims if c.kind == args.kind]
    if args.paper:
        text = args.paper.lower()
        claims = [
            c
            for c in claims
            if text in c.reference.paper.title.lower() or text in c.reference.paper.authors.lower()
        ]
    width = max((len(c.id) for c in claims), default=10)
    for c in sorted(claims, key=lambda c: c.id):
        print(f"{c.id:<{width}}  {c.kind:<11}  {c.reference.short()}")
    return 0


def cmd_show(args) -> int:
    by_id = {c.id: c for c in _claims(args.path)}
    if args.id not in by_id:
        raise UsageError(f"no claim {args.id!r}; `ratecheck list` shows the ids")
    c = by_id[args.id]
    ref = c.reference
    print(f"{c.id}  ({c.kind})")
    arxiv = f", arXiv {ref.paper.arxiv}" if ref.paper.arxiv else ""
    print(f"{ref.paper.authors}, {ref.paper.title} ({ref.paper.year}{arxiv}), {ref.theorem}")
    print(f"\n{c.statement}")
    if c.latex:
        print(f"\n  {c.latex}")
    if c.assumptions:
        print("\nAssumptions:\n" + "\n".join(f"  - {a}" for a in c.assumptions))
    if c.simplification:
        print(f"\nAs checked: {c.simplification}")
    print(f"\nPredicted: {c.predicted.describe()}; expected verdict: {c.expect}")
    print("Mutants (each must be refuted):")
    for m in c.mutants:
        print(f"  - {m.name}: {m.description}")
    if args.results:
        from .results import read_results

        doc = read_results(args.results)
        entry = next((e for e in doc["claims"] if e["id"] == c.id), None)
        if entry is None:
            print(f"\nNot in {args.results}.")
        else:
            caught = sum(m["verdict"] == "refuted" for m in entry["mutants"])
            print(
                f"\nLast verdict ({args.results}, seed {doc['seed']}, {doc['profile']}): "
                f"{entry['verdict']}; mutants refuted {caught}/{len(entry['mutants'])}\n"
                f"  {entry['reason']}"
            )
    return 0


def _run(args):
    from .discovery import select
    from .execution import run_claims

    claims = select(_claims(args.path), args.prefixes)
    if not claims:
        raise UsageError(f"no claim id starts with {' or '.join(args.prefixes)!r}")
    start = time.perf_counter()
    entries = run_claims(
        claims,
        seed=args.seed,
        profile=args.profile,
        jobs=args.jobs,
        scheduler=args.scheduler,
        local_dask=args.dask,
        progress=_Progress(len(claims), start),
    )
    from .results import build

    return build(entries, args.seed, args.profile, time.perf_counter() - start)


class _Progress:
    """One status line on stderr: claims done / total, the current claim, elapsed time."""

    def __init__(self, total: int, start: float) -> None:
        self.total, self.start, self.done = total, start, 0
        self.live = sys.stderr.isatty()

    def __call__(self, claim_id: str, finished: bool) -> None:
        self.done += finished
        elapsed = time.perf_counter() - self.start
        state = "done" if finished else "running"
        line = f"[{self.done}/{self.total}] {elapsed:6.1f}s  {state} {claim_id}"
        if self.live:
            print(f"\r\033[K{line}", end="" if self.done < self.total else "\n", file=sys.stderr)
        elif finished:
            print(line, file=sys.stderr)


def _table(doc) -> str:
    rows = [("claim", "verdict", "expected", "fitted", "mutants refuted", "s")]
    for e in doc["claims"]:
        fitted = e.get("fitted", {})
        est = fitted.get("estimate")
        ci = fitted.get("ci")
        if isinstance(est, float) and ci and None not in ci:
            fit = f"{est:.4g} [{ci[0]:.4g}, {ci[1]:.4g}]"
        elif "counterexample" in fitted:
            fit = "counterexample"
        elif "instances" in fitted:
            fit = f"{fitted['instances']} instances"
        else:
            fit = fitted.get("residual", "-") if fitted else "-"
        caught = sum(m["verdict"] == "refuted" for m in e["mutants"])
        mark = "" if e["passed"] else "  <-- FAIL"
        rows.append(
            (
                e["id"],
                e["verdict"],
                e["expected_verdict"],
                str(fit)[:40],
                f"{caught}/{len(e['mutants'])}",
                f"{e['seconds']:.1f}{mark}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    c = doc["counts"]
    lines.append(
        f"\n{len(doc['claims'])} claims: {c['confirmed']} confirmed, {c['refuted']} refuted, "
        f"{c['inconclusive']} inconclusive; "
        + ("all as expected." if doc["passed"] else "SOME NOT AS EXPECTED.")
    )
    return "\n".join(lines)


def cmd_run(args) -> int:
    doc = _run(args)
    print(_table(doc))
    if args.out:
        from .results import write_results

        print(f"wrote {write_results(args.out, doc)}")
    return 0 if doc["passed"] else 1


def cmd_report(args) -> int:
    from .results import write_results

    doc = _run(args)
    print(_table(doc))
    path = write_results(args.out, doc)
    try:
        from .report import write_report
    except ImportError:
        write_report = None
    if write_report is not None:
        write_report(args.out, doc)
    index = args.out / "index.html"
    print(f"wrote {path}" + (f" and {index}" if index.exists() else ""))
    return 0 if doc["passed"] else 1


def _halfwidth(entry) -> float | None:
    ci = (entry.get("fitted") or {}).get("ci")
    est = (entry.get("fitted") or {}).get("estimate")
    if not ci or est is None or None in ci:
        return None
    return (ci[1] - ci[0]) / 2


def cmd_compare(args) -> int:
    from .results import read_results

    old = {e["id"]: e for e in read_results(args.old)["claims"]}
    new = {e["id"]: e for e in read_results(args.new)["claims"]}
    changes = []
    for cid in sorted(set(old) | set(new)):
        if cid not in new:
            changes.append(f"{cid}: removed (was {old[cid]['verdict']})")
            continue
        if cid not in old:
            changes.append(f"{cid}: new, {new[cid]['verdict']}")
            continue
        a, b = old[cid], new[cid]
        if a["verdict"] != b["verdict"]:
            changes.append(f"{cid}: verdict {a['verdict']} -> {b['verdict']}")
        ma = {m["name"]: m["verdict"] for m in a["mutants"]}
        for m in b["mutants"]:
            if m["name"] in ma and ma[m["name"]] != m["verdict"]:
                changes.append(f"{cid}: mutant {m['name']} {ma[m['name']]} -> {m['verdict']}")
        ea, eb = (a.get("fitted") or {}).get("estimate"), (b.get("fitted") or {}).get("estimate")
        ha, hb = _halfwidth(a), _halfwidth(b)
        if isinstance(ea, float) and isinstance(eb, float) and ha is not None and hb is not None:
            # two independent 95% intervals that do not overlap: more than noise
            if abs(eb - ea) > ha + hb:
                changes.append(
                    f"{cid}: fitted moved {ea:.4g} -> {eb:.4g} (beyond both CIs, "
                    f"half-widths {ha:.2g} and {hb:.2g})"
                )
    if not changes:
        print(f"no changes between {args.old} and {args.new} ({len(new)} claims)")
        return 0
    print("\n".join(changes))
    return 1


def cmd_new(args) -> int:
    import keyword
    import re

    from .scaffold import render

    if not re.fullmatch(r"[a-z][a-z0-9_]*", args.name) or keyword.iskeyword(args.name):
        raise UsageError(f"module name {args.name!r} must be a lower-case Python identifier")
    target = args.dir / f"{args.name}.py"
    if target.exists() and not args.force:
        raise UsageError(f"{target} exists; use --force to overwrite")
    args.dir.mkdir(parents=True, exist_ok=True)
    target.write_text(render(args.name))
    print(f"wrote {target}; check it with: pytest {target} (or pytest {args.dir} -k {args.name})")
    return 0


COMMANDS = {
    "list": cmd_list,
    "show": cmd_show,
    "run": cmd_run,
    "report": cmd_report,
    "compare": cmd_compare,
    "new": cmd_new,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
