"""The ``ratecheck`` command line (also ``python -m proofs_checks``).

Exit status: 0 when every claim run has its expected verdict (and every mutant is refuted),
1 otherwise (or, for ``compare``, when something changed), 2 on a usage error (a bad argument,
an unknown claim, a results file that is not schema 1), 130 when interrupted (Ctrl-C; what ran
is written, marked interrupted). Errors are one line on stderr, not a traceback. Output cut
short by its reader (``ratecheck list | head -1``) ends the command quietly, with status 0.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .cli_run import (
    INTERRUPTED,
    UsageError,
    add_run_options,
    cmd_report,
    cmd_run,
    load_claims,
)
from .errors import ClaimError

ID_RULE = (
    "Claim ids are dotted lower-case words, family.subject.case (at least two, each of a-z, "
    "0-9 and _; the pattern ^[a-z0-9_]+(\\.[a-z0-9_]+)+$), e.g. "
    "sgd.last_iterate.convex_lipschitz; the first word is usually the module's name. An id is "
    "stable once published: results files, reports and comparisons refer to claims by it."
)


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error message (and exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ratecheck", description=__doc__.splitlines()[0])
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
    add_run_options(run, default_out=None)

    rep = sub.add_parser("report", help="run claims and write results.json and the report")
    add_run_options(rep, default_out=Path("reports/latest"))

    cmp = sub.add_parser("compare", help="what changed between two results.json files")
    cmp.add_argument("old", type=Path)
    cmp.add_argument("new", type=Path)

    new = sub.add_parser(
        "new",
        help="scaffold a theorem module that runs and passes as written",
        description="Write DIR/NAME.py: a theorem module with one small real claim that "
        "passes as written, to edit into your paper's claims. " + ID_RULE,
    )
    new.add_argument("name", help="module name, a lower-case Python identifier")
    new.add_argument("--dir", type=Path, default=Path("theorems"))
    new.add_argument("--force", action="store_true", help="overwrite an existing file")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            args = parser().parse_args(args_list)
        except SystemExit as exc:  # argparse has printed help, or its one-line message
            return 2 if exc.code else 0
        status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        # The reader stopped reading (`ratecheck list | head -1`): that is not an error. Point
        # stdout at devnull so that the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("ratecheck: interrupted", file=sys.stderr)
        return INTERRUPTED
    except UsageError as exc:
        print(f"ratecheck: error: {exc}", file=sys.stderr)
        return 2
    except (ClaimError, ValueError, ImportError, OSError) as exc:
        from .discovery import DuplicateClaimError, TheoremImportError
        from .records import ResultsError

        # These messages name the file, module or claim themselves; others get their type.
        explicit = (ClaimError, DuplicateClaimError, ResultsError, TheoremImportError)
        what = "" if isinstance(exc, explicit) else f"{type(exc).__name__}: "
        print(f"ratecheck: error: {what}{exc}", file=sys.stderr)
        return 2


def cmd_list(args) -> int:
    claims = load_claims(args.path)
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
    by_id = {c.id: c for c in load_claims(args.path)}
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
        from .results import read_run

        run = read_run(args.results)
        record = next((r for r in run.claims if r.id == c.id), None)
        if record is None:
            print(f"\nNot in {args.results}.")
        else:
            caught, total = record.mutants_caught
            print(
                f"\nLast verdict ({args.results}, seed {run.seed}, {run.profile}): "
                f"{record.verdict}; mutants refuted {caught}/{total}\n  {record.reason}"
            )
    return 0


def _halfwidth(fitted: dict) -> float | None:
    ci, est = fitted.get("ci"), fitted.get("estimate")
    if not isinstance(ci, list) or len(ci) != 2 or est is None or None in ci:
        return None
    return (ci[1] - ci[0]) / 2


def cmd_compare(args) -> int:
    from .results import read_run  # validates each file against schema 1, naming the field

    old = {r.id: r for r in read_run(args.old).claims}
    new = {r.id: r for r in read_run(args.new).claims}
    changes = []
    for cid in sorted(set(old) | set(new)):
        if cid not in new:
            changes.append(f"{cid}: removed (was {old[cid].verdict})")
            continue
        if cid not in old:
            changes.append(f"{cid}: new, {new[cid].verdict}")
            continue
        a, b = old[cid], new[cid]
        if a.verdict != b.verdict:
            changes.append(f"{cid}: verdict {a.verdict} -> {b.verdict}")
        was = {m.name: m.verdict for m in a.mutants}
        for m in b.mutants:
            if m.name in was and was[m.name] != m.verdict:
                changes.append(f"{cid}: mutant {m.name} {was[m.name]} -> {m.verdict}")
        ea, eb = a.fitted.get("estimate"), b.fitted.get("estimate")
        ha, hb = _halfwidth(a.fitted), _halfwidth(b.fitted)
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
    print(f"wrote {target}; check it with: pytest {target}")
    from .discovery import registered_locations

    if not registered_locations().contains(target):
        print(
            f"(`pytest {args.dir}` collects it once {args.dir} is registered: under the "
            f'ratecheck.theorems entry point, or with ratecheck_paths = ["{args.dir}"] in the '
            "pytest configuration)"
        )
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
