"""Finding theorem modules: packages and modules registered under an entry point, and paths.

A distribution registers its theorem modules under the ``ratecheck.theorems`` entry point group;
each entry names either a module or a package, and a package stands for all its public
submodules (names not starting with ``_``; subpackages are not searched). ratecheck registers
its own bundled ``theorems`` package that way::

    [project.entry-points."ratecheck.theorems"]
    bundled = "theorems"

:func:`registered_locations` answers where those modules live *without importing them* (the
pytest plugin uses it to decide which files to collect); :func:`all_claims` imports them, plus
any files or directories given explicitly, and returns their claims. Nothing here imports the
engine until claims are asked for.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
import sys
import traceback
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the engine is imported only when claims are asked for
    from .claims import Claim

ENTRY_POINT_GROUP = "ratecheck.theorems"


class TheoremImportError(ImportError):
    """A theorem module failed to import: names the module and where it failed, in one line."""

    def __init__(self, module: str, exc: BaseException, file: str | None = None) -> None:
        frames = traceback.extract_tb(exc.__traceback__)
        # The line in the theorem module itself, rather than deep inside a library it called.
        own = [f for f in frames if file and Path(f.filename) == Path(file)] or frames
        where = f" ({own[-1].filename}, line {own[-1].lineno})" if own else ""
        super().__init__(f"theorem module {module}: {type(exc).__name__}: {exc}{where}")


def import_theorem_module(name: str) -> ModuleType:
    """Import a theorem module by name; a failure names the module (a ClaimError says more)."""
    from .errors import ClaimError

    try:
        return importlib.import_module(name)
    except (ClaimError, TheoremImportError):
        raise
    except Exception as exc:
        raise TheoremImportError(name, exc, _origin(name)) from exc


def _origin(name: str) -> str | None:
    """The file of a module, found without importing it (None if it cannot be found)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None else None


class DuplicateClaimError(ValueError):
    """Two different claims share one id: ids identify claims in results and reports."""

    def __init__(self, claim_id: str, first: str, second: str) -> None:
        self.claim_id, self.first, self.second = claim_id, first, second
        super().__init__(f"claim id {claim_id!r} is defined twice: in {first} and in {second}")


@dataclass
class Locations:
    """Where registered theorem modules live: package directories and single module files."""

    directories: set[Path] = field(default_factory=set)
    files: set[Path] = field(default_factory=set)
    #: Entry points that could not be resolved, as messages (reported, never dropped silently).
    problems: list[str] = field(default_factory=list)

    def contains(self, path: Path) -> bool:
        """Whether ``path`` is a registered module file or a public module of a package."""
        path = Path(path).resolve()
        if path in self.files:
            return True
        return path.parent in self.directories and is_public_module_file(path)


def is_public_module_file(path: Path) -> bool:
    """A ``.py`` file that can hold theorems: not private (``_x.py``) and not a conftest."""
    return path.suffix == ".py" and not path.name.startswith("_") and path.name != "conftest.py"


def registered_entry_points() -> list[EntryPoint]:
    return sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)


def registered_locations() -> Locations:
    """The directories and files of registered theorem packages and modules, not imported.

    Resolving a dotted name imports its parent packages (as any import would), never the
    theorem modules themselves.
    """
    found = Locations()
    for ep in registered_entry_points():
        try:
            spec = importlib.util.find_spec(ep.module)
        except (ImportError, ValueError) as exc:
            spec, why = None, f"{type(exc).__name__}: {exc}"
        else:
            why = "no such module"
        if spec is None:
            source = ep.dist.name if ep.dist is not None else "unknown distribution"
            found.problems.append(f"entry point {ep.name} = {ep.value!r} ({source}): {why}")
            continue
        if spec.submodule_search_locations:
            found.directories.update(Path(p).resolve() for p in spec.submodule_search_locations)
        elif spec.origin:
            found.files.add(Path(spec.origin).resolve())
    return found


def package_modules(package: ModuleType) -> list[ModuleType]:
    """A package's public submodules, imported, in name order (the module itself if no package)."""
    if not hasattr(package, "__path__"):
        return [package]
    return [
        import_theorem_module(f"{package.__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name)
        if not info.name.startswith("_") and not info.ispkg
    ]


def registered_modules() -> list[ModuleType]:
    """Every registered theorem module, imported (a package entry gives its submodules)."""
    modules: list[ModuleType] = []
    for ep in registered_entry_points():
        modules += package_modules(import_theorem_module(ep.module))
    return modules


def module_name_for(path: Path) -> str:
    """The import name given to a theorem file loaded by path: stable across processes."""
    path = Path(path).resolve()
    return f"ratecheck_ext_{path.stem}_{zlib.crc32(str(path).encode()):08x}"


def module_from_path(path: Path) -> ModuleType:
    """Import a theorem module from its file (once per process)."""
    path = Path(path).resolve()
    name = module_name_for(path)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import a theorem module from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    from .errors import ClaimError

    try:
        spec.loader.exec_module(module)
    except BaseException as exc:
        del sys.modules[name]
        if isinstance(exc, Exception) and not isinstance(exc, ClaimError):
            raise TheoremImportError(str(path), exc, str(path)) from exc
        raise
    return module


def modules_from_paths(paths: Iterable[Path], known: Sequence[ModuleType] = ()) -> list[ModuleType]:
    """Theorem modules from files and directories (a directory's public ``.py`` files).

    A file that is already one of the ``known`` modules is not imported a second time.
    """
    known_files = {Path(f).resolve(): m for m in known if (f := getattr(m, "__file__", None))}
    modules = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise FileNotFoundError(f"no theorem module or directory {p}")
        files = sorted(f for f in p.glob("*.py") if is_public_module_file(f)) if p.is_dir() else [p]
        for f in files:
            modules.append(known_files.get(f.resolve()) or module_from_path(f))
    return modules


def unique_claims(modules: Iterable[ModuleType]) -> list[Claim]:
    """The claims defined in the modules; an id defined by two different claims is an error."""
    from .claims import claims_in

    seen: dict[str, Claim] = {}
    where: dict[str, str] = {}
    for module in dict.fromkeys(modules):  # a module listed twice counts once
        for c in claims_in(module):
            if c.id in seen and seen[c.id] is not c:
                raise DuplicateClaimError(c.id, where[c.id], _describe(module))
            seen[c.id], where[c.id] = c, _describe(module)
    return list(seen.values())


def _describe(module: ModuleType) -> str:
    file = getattr(module, "__file__", None)
    return f"{module.__name__} ({file})" if file else module.__name__


def all_claims(paths: Sequence[Path] | None = None) -> list[Claim]:
    """Every claim: registered through the entry point, and in the given files/directories."""
    registered = registered_modules()
    return unique_claims(registered + modules_from_paths(paths or (), known=registered))


def select(claims: list[Claim], prefixes: Sequence[str]) -> list[Claim]:
    """The claims whose id starts with one of the prefixes (all of them if none are given)."""
    if not prefixes:
        return claims
    return [c for c in claims if any(c.id.startswith(p) for p in prefixes)]
