"""Which notebooks run, with which parameters: the parameters files of ``params/``, each value
checked against the notebook's parameters cell before anything runs.

A parameters file has a ``common`` section and one per notebook; a notebook's values are the common
ones, then its own, then the run's (its profile, and ``resume`` where asked for). A name the
notebook's parameters cell lacks, or a value of another type than the default's, is a
:class:`~helpers.core.config.ConfigError` that names the file, the notebook and the valid names.
The pipeline reads them for every notebook it runs; a notebook opened by hand reads its own
through the same functions (:func:`apply_profile`), so that a profile means the same there.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import nbformat
import yaml

from .config import ConfigError, get_profile, resolve_device
from .paths import PROJECT_ROOT

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
        if (name == "seeds" or name.endswith("_seeds")) and value < 1:
            raise ConfigError(f"{where}: {name} is {value}, but it counts random seeds: give 1 "
                              "or more")


def _same_kind(value: Any, default: Any) -> bool:
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def parameters_cell(notebook: Path) -> str:
    """The source of a notebook's cell tagged ``parameters``."""
    cells = nbformat.read(notebook, as_version=4).cells
    found = next((c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if found is None:
        raise ConfigError(f"{notebook.name} has no cell tagged 'parameters'")
    return found.source


def cell_defaults(source: str) -> dict[str, Any]:
    """The names and values a parameters cell assigns (each a Python literal)."""
    return {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(source).body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)}


def notebook_defaults(notebook: Path) -> dict[str, Any]:
    """The values of a notebook's parameters cell."""
    return cell_defaults(parameters_cell(notebook))


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


SOURCES_DIR = NOTEBOOKS_DIR / "src"


def source_defaults(notebook: str) -> dict[str, Any]:
    """The parameters cell's values as the project ships them (``notebooks/src/<notebook>.py``,
    which a student's edits of the notebook do not touch): the full profile's."""
    text = (SOURCES_DIR / f"{notebook}.py").read_text()
    return cell_defaults(text.split('# %% tags=["parameters"]', 1)[1].split("\n# %%", 1)[0])


@dataclass(frozen=True)
class Chosen:
    """What a notebook took from its profile's parameters file, and what was set by hand."""

    profile: str
    source: Path
    taken: dict[str, Any]
    by_hand: dict[str, Any]

    def sentence(self) -> str:
        """One plain sentence saying which values the notebook took, and which it kept."""
        named = lambda values: ", ".join(f"{k} = {v!r}" for k, v in values.items())  # noqa: E731
        where = self.source.relative_to(PROJECT_ROOT) if self.source.is_relative_to(
            PROJECT_ROOT) else self.source
        taken = (f"took {len(self.taken)} value(s) from {where} ({named(self.taken)})"
                 if self.taken else f"uses the parameters cell's values ({where} changes none)")
        kept = f"; set by hand and kept: {named(self.by_hand)}" if self.by_hand else ""
        return f"Profile {self.profile}: this notebook {taken}{kept}."


def apply_profile(notebook: str, namespace: dict[str, Any]) -> Chosen:
    """Give a notebook run by hand (``namespace``: its globals) its profile's values, read and
    checked as the pipeline reads them: each parameter still at the shipped default takes the
    profile's value; one changed by hand keeps its value. Under the pipeline the values are
    already the profile's, and nothing changes."""
    defaults = source_defaults(notebook)
    profile = namespace.get("profile", defaults["profile"])
    source = parameters_file(profile)
    table = load_parameters(source)
    table["common"] = {name: value for name, value in (table.get("common") or {}).items()
                       if name in defaults}  # the summary has no seed or data root
    values = parameters_for(NOTEBOOKS_DIR / f"{notebook}.ipynb", profile, table, str(source))
    by_hand = {name: namespace[name] for name in defaults if name in namespace and name != "profile"
               and namespace[name] != defaults[name] and namespace[name] != values.get(name)}
    for name, value in values.items():
        if name not in by_hand:
            namespace[name] = value
    taken = {name: value for name, value in values.items()
             if name != "profile" and value != defaults.get(name) and name not in by_hand}
    return Chosen(profile, source, taken, by_hand)
