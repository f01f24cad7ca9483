"""Finding theorem modules: the bundled ``theorems`` package, entry points, paths on disk."""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from .claims import Claim, claims_in

ENTRY_POINT_GROUP = "ratecheck.theorems"


def bundled_modules() -> list[ModuleType]:
    import theorems

    return [
        importlib.import_module(f"theorems.{info.name}")
        for info in pkgutil.iter_modules(theorems.__path__)
        if not info.name.startswith("_")
    ]


def entry_point_modules() -> list[ModuleType]:
    """Theorem modules registered by other packages under ``ratecheck.theorems``."""
    return [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]


def module_from_path(path: Path) -> ModuleType:
    path = Path(path).resolve()
    name = f"ratecheck_ext_{path.stem}_{abs(hash(str(path))) % 10**8}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import a theorem module from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def all_claims(paths: list[Path] | None = None) -> list[Claim]:
    """Every claim: bundled, registered through entry points, and in the given files/dirs."""
    modules = bundled_modules() + entry_point_modules()
    for p in paths or []:
        p = Path(p)
        files = sorted(p.glob("*.py")) if p.is_dir() else [p]
        modules += [module_from_path(f) for f in files if not f.name.startswith("_")]
    seen: dict[str, Claim] = {}
    for module in modules:
        for c in claims_in(module):
            if c.id in seen and seen[c.id] is not c:
                raise ValueError(
                    f"claim id {c.id!r} is defined twice ({seen[c.id].module}, {c.module})"
                )
            seen[c.id] = c
    return list(seen.values())


def select(claims: list[Claim], prefixes: list[str]) -> list[Claim]:
    if not prefixes:
        return claims
    return [c for c in claims if any(c.id.startswith(p) for p in prefixes)]
