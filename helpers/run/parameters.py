"""Which notebooks run, with which parameters: the parameters files of ``params/``, each value
checked against the notebook's parameters cell before anything runs.

A parameters file has a ``common`` section and one per notebook; a notebook's values are the common
ones, then its own, then the run's (its profile, and ``resume`` where asked for). A name the
notebook's parameters cell lacks, or a value of another type than the default's, is a
:class:`~helpers.core.config.ConfigError` that names the file, the notebook and the valid names.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Mapping

import papermill
import yaml

from ..core.config import ConfigError, get_profile, resolve_device
from ..core.paths import PROJECT_ROOT

NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
PARAMS_DIR = PROJECT_ROOT / "params"


def list_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def select_notebooks(only: list[str] | None) -> list[Path]:
    """All notebooks, or those whose number (``01`` or ``1``) or name is in ``only``."""
    notebooks = list_notebooks()
    if not only:
        return notebooks
    wanted = {item.zfill(2) if item.isdigit() else item for item in only}
    chosen = [nb for nb in notebooks if nb.stem[:2] in wanted or nb.stem in wanted]
    known = {nb.stem[:2] for nb in notebooks} | {nb.stem for nb in notebooks}
    unknown = sorted(wanted - known)
    if unknown:
        names = ", ".join(nb.stem for nb in notebooks)
        raise ConfigError(f"--only {' '.join(unknown)}: no such notebook; the notebooks are {names}")
    return chosen


def validate_parameters(
    overrides: Mapping[str, Any], defaults: Mapping[str, Any], where: str
) -> None:
    """Reject an override whose name is not a parameter or whose type differs from the default's.

    ``defaults`` are the values of a notebook's parameters cell; an int is accepted for a float and
    any value for a default of None.
    """
    valid = ", ".join(sorted(defaults))
    for name, value in overrides.items():
        if name not in defaults:
            raise ConfigError(f"{where}: unknown parameter {name!r}; valid parameters: {valid}")
        expected = defaults[name]
        if not _same_kind(value, expected):
            raise ConfigError(
                f"{where}: parameter {name!r} must be {type(expected).__name__} "
                f"(like its default {expected!r}), got {type(value).__name__} {value!r}"
            )


def _same_kind(value: Any, default: Any) -> bool:
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def notebook_defaults(notebook: Path) -> dict[str, Any]:
    """The values of a notebook's parameters cell."""
    found = papermill.inspect_notebook(str(notebook))
    if not found:
        raise ConfigError(f"{notebook.name} has no cell tagged 'parameters'")
    return {name: ast.literal_eval(spec["default"]) for name, spec in found.items()}


def parameters_file(profile: str, given: Path | None = None) -> Path:
    """``given``, else ``params/<profile>.yaml`` (a rehearsal runs with the full profile's)."""
    path = Path(given) if given else PARAMS_DIR / f"{get_profile(profile).parameters_name}.yaml"
    if not path.is_file():
        raise ConfigError(f"{path} is missing: give an existing parameters file (params/ holds "
                          "one per profile)")
    return path


def load_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The sections of a parameters file: ``common`` and one per notebook."""
    try:
        table = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path} is not valid YAML{where}: {problem}. Fix it; the files in "
                          "params/ show the layout (a 'common' section, then one per notebook)"
                          ) from None
    if not isinstance(table, dict) or not all(isinstance(v, (dict, type(None)))
                                              for v in table.values()):
        raise ConfigError(f"{path}: expected sections ('common' and notebook names), each a "
                          "mapping of parameter names to values")
    return table


def parameters_for(notebook: Path, profile: str, table: dict[str, dict[str, Any]],
                   source: str = "parameters", resume: bool = False) -> dict[str, Any]:
    """Common and per-notebook values for ``notebook``, validated against its parameters cell
    (and its device against this machine); ``resume=True`` for a notebook that trains."""
    sections = set(table) - {"common"} - {nb.stem for nb in list_notebooks()} - {"summary"}
    if sections:
        raise ConfigError(f"{source}: unknown section(s) {sorted(sections)}; sections are 'common' "
                          "and the notebook names")
    values = {**(table.get("common") or {}), **(table.get(notebook.stem) or {}), "profile": profile}
    defaults = notebook_defaults(notebook)
    if resume and "resume" in defaults:
        values["resume"] = True
    validate_parameters(values, defaults, f"{source}, {notebook.stem}")
    try:
        resolve_device(values.get("device", defaults.get("device", "auto")))
    except ConfigError as error:
        raise ConfigError(f"{source}, {notebook.stem}: {error}") from None
    return values
