"""Parameters of a report batch, validated before any kernel starts.

Papermill passes whatever it is given (papermill #55, #545, #818); this module refuses, with one
line naming the parameter and what was expected, anything the notebooks would choke on:
unknown keys, wrong types, unknown regions or cohorts, out-of-range targets and years.

What is accepted comes from two places:

- the notebooks' own ``parameters`` cells (read with ``papermill.inspect_notebook``): every
  parameter a report notebook declares (except ``region`` and ``context_path``, which the runner
  sets) can be set, with the declared type and the declared default;
- typed rules for the parameters with a meaning (:data:`RULES`): ``year`` must be an SPBE
  evaluation year, ``target`` on the 1-5 SPBE scale, ``target_year`` within ten years after
  ``year``, ``lang`` a report language, ``cohort`` an existing cohort, ``regions`` resolvable.

Settings come from (later wins) the notebooks' defaults, a YAML file (``--params FILE``) and the
command line. Which notebooks run is configured in ``params/notebooks.yaml``
(:func:`load_notebook_config`).

Examples
--------
>>> cfg = load_notebook_config()                                  # doctest: +SKIP
>>> p = validate({"regions": "Sumedang,Kota Bandung", "lang": "en"}, config=cfg)  # doctest: +SKIP
>>> p.regions, p.notebook_values["lang"]                          # doctest: +SKIP
(('3211', '3273'), 'en')
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from living_lab import paths, schema
from living_lab.errors import InputError, LivingLabError, ParameterError
from living_lab.results.rules import (  # noqa: F401 - the report parameters' rules
    TARGET_HORIZON_YEARS,
    _spbe_years,
    check_target,
    check_target_year,
    check_year,
)
from living_lab.validate import read_yaml

Executor = Literal["local", "dask"]
EXECUTORS: tuple[str, ...] = get_args(Executor)
#: Parameters the runner sets itself for every notebook; users cannot set them.
INTERNAL = ("region", "context_path")
#: Largest parameter file accepted (a parameter file is a few lines; anything huge is a mistake).
MAX_PARAMS_BYTES = 1_000_000


# --------------------------------------------------------------------------------------------
# Which notebooks run


@dataclass(frozen=True)
class Declared:
    """A parameter as a notebook's ``parameters`` cell declares it."""

    name: str
    type_name: str
    default: Any
    help: str
    notebooks: tuple[str, ...]


@dataclass(frozen=True)
class NotebookConfig:
    """The notebooks of a batch (``params/notebooks.yaml``) and their declared parameters.

    Attributes
    ----------
    region : the per-region notebook.
    cohort : cohort-level notebooks, run once per batch (missing files are reported, not run).
    kernel_name : Jupyter kernel the notebooks run in.
    preload : modules each warm kernel imports once, on top of what the notebooks import.
    timeout : default wall-clock limit of one notebook run, seconds.
    """

    region: Path
    cohort: tuple[Path, ...] = ()
    kernel_name: str = "python3"
    preload: tuple[str, ...] = ()
    timeout: float = 600.0
    source: Path | None = None
    declared_by: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict, repr=False)

    def declared(self, notebook: Path) -> dict[str, dict[str, Any]]:
        """``papermill.inspect_notebook`` of one of the notebooks (cached)."""
        key = str(notebook)
        if key not in self.declared_by:
            self.declared_by[key] = inspect_parameters(notebook)
        return self.declared_by[key]

    def settable(self) -> dict[str, Declared]:
        """Parameters users may set: everything the existing notebooks declare, but ``INTERNAL``."""
        out: dict[str, Declared] = {}
        for nb in (self.region, *self.cohort):
            if not nb.exists():
                continue
            for name, spec in self.declared(nb).items():
                if name in INTERNAL:
                    continue
                type_name = spec.get("inferred_type_name") or "None"
                default = _literal(spec.get("default"))
                if name in out:
                    prev = out[name]
                    # The first notebook's (the region report's) declaration wins; cohort
                    # notebooks may declare other defaults, which they keep when not set.
                    out[name] = Declared(
                        name, prev.type_name, prev.default, prev.help, (*prev.notebooks, nb.stem)
                    )
                else:
                    out[name] = Declared(
                        name, type_name, default, str(spec.get("help") or ""), (nb.stem,)
                    )
        return out


def inspect_parameters(notebook: Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares (name -> inferred type, default, help)."""
    import papermill

    if not Path(notebook).exists():
        raise ParameterError.keyed("err.param.notebook_missing", path=notebook)
    try:
        return dict(papermill.inspect_notebook(str(notebook)))
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {exc}".splitlines()[0]
        raise InputError.keyed(
            "err.param.notebook_unreadable", file=notebook, error=error
        ) from None


def _literal(source: Any) -> Any:
    if source is None:
        return None
    try:
        return ast.literal_eval(str(source))
    except (ValueError, SyntaxError):
        return str(source)


#: Longest ``--timeout`` accepted (one day): larger values overflow the clock APIs.
MAX_TIMEOUT_S = 86400


def load_notebook_config(path: Path | None = None) -> NotebookConfig:
    """Read ``params/notebooks.yaml`` (or ``path``): which notebooks a batch runs."""
    path = Path(path) if path is not None else paths.PARAMS / "notebooks.yaml"
    raw = _read_yaml_mapping(path)
    schema.check("notebooks", raw, file=path)
    # Notebook names are relative to notebook_dir, itself relative to this file (default:
    # the project's notebooks/ folder).
    base = (
        (path.parent / raw["notebook_dir"]).resolve() if "notebook_dir" in raw else paths.NOTEBOOKS
    )

    def notebook(name: str) -> Path:
        p = Path(name)
        return p if p.is_absolute() else base / p

    cohort = raw.get("cohort_notebooks") or []
    preload = raw.get("preload") or []
    timeout = raw.get("timeout", 600)
    return NotebookConfig(
        region=notebook(raw["region_notebook"]),
        cohort=tuple(notebook(n) for n in cohort),
        kernel_name=str(raw.get("kernel", "python3")),
        preload=tuple(preload),
        timeout=float(timeout),
        source=path,
    )


# --------------------------------------------------------------------------------------------
# The validated parameters


@dataclass(frozen=True)
class ReportParams:
    """A validated batch.

    Attributes
    ----------
    regions : BPS codes of the region reports to run (the cohort's, or ``--regions``).
    cohort : cohort the reports compare against (name, or path of a cohort YAML file).
    cohort_title : its title (Indonesian), for the manifest and index.
    notebook_values : value of every settable notebook parameter (``year``, ``lang``, ...).
    out : output folder; jobs : kernels; force : re-run unchanged reports too;
    executor, scheduler : where to run; timeout : wall-clock seconds per notebook;
    cohort_reports : run the cohort-level notebooks too.
    formats : files written per report: ``html`` always (what reviewers read; the default),
        ``ipynb`` (the executed papermill notebook, for researchers) when asked with
        ``--formats html,ipynb``; the figures are in each.
    region_cohorts : the cohort of a region whose peer group is not ``cohort`` (regions named
        without ``--cohort`` that lie outside the default cohort are compared with every
        kabupaten/kota, while the others keep the default cohort): a region's peer group is
        the cohort the user named or the default for that region, never the batch's.
    """

    regions: tuple[str, ...]
    cohort: str
    cohort_title: str
    notebook_values: dict[str, Any]
    out: Path
    jobs: int
    force: bool
    executor: Executor
    scheduler: str | None
    timeout: float
    cohort_reports: bool
    regions_given: bool = False
    formats: tuple[str, ...] = ("html",)
    region_cohorts: Mapping[str, str] = field(default_factory=dict)
    #: Regions of ``regions`` with no published SPBE result at all (compared with every
    #: kabupaten/kota, cohort ``all``): their reports say "belum dievaluasi".
    unevaluated: tuple[str, ...] = ()

    def cohort_of(self, region: str) -> str:
        """The cohort a region's report compares it with."""
        return self.region_cohorts.get(region, self.cohort)

    def parameters_for(
        self, declared: Mapping[str, Any], *, region: str | None = None, context_path: str = ""
    ) -> dict[str, Any]:
        """Parameters to inject into a notebook: only those it declares (papermill would warn
        about the others and the notebook would ignore them)."""
        values: dict[str, Any] = {**self.notebook_values, "cohort": self.cohort}
        if region is not None:
            values["region"] = region
            values["cohort"] = self.cohort_of(region)
        values["context_path"] = context_path
        return {k: v for k, v in values.items() if k in declared}

    def get(self, name: str, default: Any = None) -> Any:
        return self.notebook_values.get(name, default)


#: Runner settings (not notebook parameters) -> (type name, default factory).
RUNNER_SETTINGS: dict[str, tuple[str, Callable[[], Any]]] = {
    "regions": ("list", lambda: None),
    "out": ("path", lambda: paths.DEFAULT_REPORTS),
    "jobs": ("int", lambda: default_jobs()),
    "force": ("bool", lambda: False),
    "executor": ("str", lambda: "local"),
    "scheduler": ("str", lambda: None),
    "timeout": ("float", lambda: None),
    "cohort_reports": ("bool", lambda: True),
    "formats": ("list", lambda: None),
}
#: Files a report can be written as; the HTML is always written.
FORMATS = ("html", "ipynb")
#: What a batch writes unless asked: the pages reviewers read (``--formats html,ipynb`` adds the
#: executed notebooks researchers open).
DEFAULT_FORMATS = ("html",)


def default_jobs() -> int:
    """Kernels to run at once: one per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


_TYPE_WORDS = {
    "int": "an integer",
    "float": "a number",
    "str": "a text value",
    "bool": "true or false",
    "list": "a list",
    "path": "a folder path",
}


def _option(name: str) -> str:
    """The command-line option of a parameter: ``target_year`` -> ``--target-year``."""
    return "--" + name.replace("_", "-")


def _coerce(name: str, value: Any, type_name: str, *, from_cli: bool) -> Any:
    """Check (YAML) or convert (command-line text) ``value`` to ``type_name``."""
    wanted = _TYPE_WORDS.get(type_name, type_name)
    bad = (
        ParameterError.keyed(
            f"err.param.type.{type_name}", name=name, option=_option(name), value=value
        )
        if type_name in _TYPE_WORDS
        else ParameterError(f"{name}: expected {wanted}, got {value!r}")
    )
    if value is None:
        raise bad
    if type_name == "int":
        if from_cli and isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise bad from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad
        return value
    if type_name == "float":
        if from_cli and isinstance(value, str):
            try:
                out = float(value.strip())
            except ValueError:
                raise bad from None
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise bad
        else:
            out = float(value)
        if out != out or out in (float("inf"), float("-inf")):
            raise bad
        return out
    if type_name == "bool":
        if from_cli and isinstance(value, str):
            low = value.strip().lower()
            if low in {"true", "yes", "1"}:
                return True
            if low in {"false", "no", "0"}:
                return False
            raise bad
        if not isinstance(value, bool):
            raise bad
        return value
    if type_name in {"str", "path"}:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise bad
        text = str(value)
        if not text.strip() or any(ord(c) < 32 for c in text):
            raise ParameterError.keyed("err.param.one_line", name=name, wanted=wanted, value=value)
        return text.strip()
    if type_name == "list":
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, list) and all(
            isinstance(v, str | int) and not isinstance(v, bool) for v in value
        ):
            return [str(v).strip() for v in value]
        raise bad
    # A type the notebook declares that we have no rule for (None, list, dict): take YAML
    # scalars and lists as they are; papermill writes them as Python literals.
    if isinstance(value, str | int | float | bool | list | dict):
        return value
    raise bad


# --------------------------------------------------------------------------------------------
# Reading a parameter file


def _read_yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML file that must be one mapping with string keys; every problem is one line."""
    path = Path(path)
    raw = read_yaml(path, limit=MAX_PARAMS_BYTES)
    if raw is None:
        raise InputError.keyed("err.param.file_empty", file=path)
    if not isinstance(raw, dict):
        raise InputError.keyed("err.param.file_not_mapping", file=path, kind=type(raw).__name__)
    for key in raw:
        if not isinstance(key, str):
            raise InputError.keyed("err.param.name_not_text", file=path, key=key)
    return raw


def _refuse_unknown(raw: Mapping[str, Any], known: set[str], path: Path | None) -> None:
    """Refuse every unknown key at once, in one line (with a close match for each, if any)."""
    unknown = [key for key in raw if key not in known]
    msg = schema.unknown_keys(unknown, known)
    if msg is None:
        return
    if path is not None:
        raise InputError(msg, file=path, field=unknown[0] if len(unknown) == 1 else None)
    raise ParameterError(msg)


def _without_option(error: ParameterError) -> Callable[[str], str]:
    """The message of ``error`` in a language, without its leading ``option:``."""
    return lambda lang: error.localized(lang).split(": ", 1)[-1]


def load_params_file(path: Path, settable: Mapping[str, Declared]) -> dict[str, Any]:
    """Read a ``--params`` YAML file: a mapping of known parameter names to values."""
    raw = _read_yaml_mapping(Path(path))
    known = set(settable) | set(RUNNER_SETTINGS)
    # Accept the command-line spelling too (target-year), since users copy it from --help.
    normalised: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name in normalised:
            raise InputError.keyed("err.param.given_twice", file=path, field=key, name=name)
        normalised[name] = value
    found: list[tuple[str | None, str]] = []
    unknown = [k for k in normalised if k not in known]
    line = schema.unknown_keys(unknown, known)
    if line is not None:
        found.append((unknown[0] if len(unknown) == 1 else None, line))
    # Values: the typed models (JSON Schema) for the parameters they describe, the type the
    # notebook declares for any other.
    models = schema.properties("notebook_parameters", "runner_settings")
    found += schema.problems(
        {"properties": {k: v for k, v in models.items() if k in known}},
        normalised,
        check_unknown=False,
    )
    for name, value in normalised.items():
        if name in settable and name not in models:
            try:
                _coerce(name, value, settable[name].type_name, from_cli=False)
            except ParameterError as exc:
                found.append((name, schema.Message(_without_option(exc))))
    if found:
        raise schema.SchemaError(found, file=path)
    return normalised


# --------------------------------------------------------------------------------------------
# Rules


def _check_year(values: dict[str, Any]) -> None:
    if "year" in values:
        check_year(values["year"])


def _check_target(values: dict[str, Any]) -> None:
    if "target" in values:
        check_target(values["target"])


def _check_target_year(values: dict[str, Any]) -> None:
    if "target_year" in values and "year" in values:
        check_target_year(values["year"], values["target_year"])


def _check_choice(name: str, choices: Callable[[], Sequence[str]]) -> Callable[[dict], None]:
    def check(values: dict[str, Any]) -> None:
        if name in values and values[name] not in choices():
            raise ParameterError.keyed(
                "err.param.choice",
                name=name,
                option=_option(name),
                value=values[name],
                choices=str(list(choices())),
            )

    return check


def _langs() -> Sequence[str]:
    from living_lab.text import LANGS

    return LANGS


def _confidences() -> Sequence[str]:
    from living_lab.datasets import Confidence

    return get_args(Confidence)


#: Typed rules on top of the declared types, by parameter name.
RULES: dict[str, Callable[[dict[str, Any]], None]] = {
    "year": _check_year,
    "target": _check_target,
    "target_year": _check_target_year,
    "lang": _check_choice("lang", _langs),
    "min_confidence": _check_choice("min_confidence", _confidences),
}


# --------------------------------------------------------------------------------------------
# Putting it together


def validate(
    cli: Mapping[str, Any],
    *,
    config: NotebookConfig,
    params_file: Path | str | None = None,
) -> ReportParams:
    """Merge defaults, the parameter file and the command line; check everything.

    Parameters
    ----------
    cli : values given on the command line, as text (``None`` or absent = not given);
        ``force``/``cohort_reports`` as booleans.
    config : the notebooks of the batch (their declared parameters drive the checks).
    params_file : optional YAML mapping with any of the same keys.

    Raises
    ------
    ParameterError, InputError, UnknownRegionError : one line naming what is wrong.
    """
    from living_lab.cohorts import load_cohort
    from living_lab.regions import resolve_region

    if not config.region.exists():
        raise ParameterError.keyed("err.param.region_notebook_missing", path=config.region)
    settable = config.settable()
    known = set(settable) | set(RUNNER_SETTINGS)

    file_values: dict[str, Any] = {}
    if params_file is not None and str(params_file) != "":
        file_values = load_params_file(Path(params_file), settable)
    cli_values = {k: v for k, v in cli.items() if v is not None}
    _refuse_unknown(cli_values, known, None)

    def type_of(name: str) -> str:
        if name in RUNNER_SETTINGS:
            return RUNNER_SETTINGS[name][0]
        return settable[name].type_name

    values: dict[str, Any] = {}
    for name, value in file_values.items():
        try:
            values[name] = _coerce(name, value, type_of(name), from_cli=False)
        except ParameterError as exc:
            raise InputError(str(exc).split(": ", 1)[1], file=params_file, field=name) from None
    for name, value in cli_values.items():
        values[name] = _coerce(name, value, type_of(name), from_cli=True)

    # Notebook parameters: declared default unless set.
    notebook_values = {
        name: values.get(name, spec.default) for name, spec in settable.items() if name != "cohort"
    }
    for check in RULES.values():
        check(notebook_values)

    # Regions and cohort.
    cohort_given = "cohort" in values
    default_cohort = settable["cohort"].default if "cohort" in settable else "all"
    cohort_name = str(values.get("cohort", default_cohort))
    if cohort_name.endswith((".yaml", ".yml")):
        cohort_name = str(Path(cohort_name).resolve())
    regions_given = "regions" in values
    codes: list[str] = []
    if regions_given:
        if not values["regions"]:
            raise ParameterError.keyed("err.param.regions_empty")
        for i, item in enumerate(values["regions"]):
            try:
                code = resolve_region(item)
            except LivingLabError as exc:
                raise ParameterError.wrapping(f"regions[{i}]", exc) from None
            if code not in codes:
                codes.append(code)
    cohort = load_cohort(cohort_name)
    unevaluated: tuple[str, ...] = ()
    if regions_given:
        outside = [c for c in codes if c not in cohort.regions]
        if outside and cohort_given and cohort.name == "all":
            # "all" holds every region with a published result: the others get their
            # "belum dievaluasi" report in the batch instead of stopping it.
            unevaluated = tuple(outside)
            outside = []
        if outside and cohort_given:
            from living_lab.regions import region_name

            raise ParameterError.keyed(
                "err.param.regions_outside",
                code=outside[0],
                name=region_name(outside[0]),
                cohort=cohort.name,
            )
        region_cohorts: dict[str, str] = {}
        if outside:
            # The regions were named without a cohort and are not all in the default one: a
            # region outside it is compared with every kab/kota, a region inside it keeps the
            # default cohort (its report is the same as in a run of its cohort); the cohort
            # reports of such a batch cover every kab/kota.
            default_name = cohort_name
            cohort = load_cohort("all")
            cohort_name = "all"
            region_cohorts = {c: default_name for c in codes if c not in outside}
            # Regions with no published SPBE result at all: a "belum dievaluasi" report each.
            unevaluated = tuple(c for c in codes if c not in cohort.regions)
    else:
        codes = list(cohort.regions)

    # Runner settings.
    jobs = values.get("jobs", default_jobs())
    if not 1 <= jobs <= 256:
        raise ParameterError.keyed("err.param.jobs", jobs=jobs)
    # No more kernels than reports.
    n_reports = len(codes) + (len(config.cohort) if values.get("cohort_reports", True) else 0)
    jobs = min(jobs, max(1, n_reports))
    timeout = values.get("timeout", config.timeout)
    if not 0 < timeout <= MAX_TIMEOUT_S:
        raise ParameterError.keyed("err.param.timeout", most=MAX_TIMEOUT_S, timeout=f"{timeout:g}")
    formats = values.get("formats", list(DEFAULT_FORMATS))
    if (
        "html" not in formats
        or not set(formats) <= set(FORMATS)
        or len(set(formats)) < len(formats)
    ):
        raise ParameterError.keyed("err.param.formats", formats=",".join(formats))
    executor = values.get("executor", "local")
    if executor not in EXECUTORS:
        raise ParameterError.keyed(
            "err.param.choice",
            name="executor",
            option="--executor",
            value=executor,
            choices=str(list(EXECUTORS)),
        )
    scheduler = values.get("scheduler")
    if executor == "dask" and not scheduler:
        raise ParameterError.keyed("err.param.scheduler_needed")
    if executor != "dask" and scheduler:
        raise ParameterError.keyed("err.param.scheduler_unused")
    out = Path(values.get("out", paths.DEFAULT_REPORTS)).expanduser()
    if out.exists() and not out.is_dir():
        raise ParameterError.keyed("err.param.out_not_folder", out=out)

    return ReportParams(
        regions=tuple(codes),
        cohort=cohort_name,
        cohort_title=cohort.title,
        notebook_values=notebook_values,
        out=out,
        jobs=jobs,
        force=bool(values.get("force", False)),
        executor=executor,
        scheduler=scheduler,
        timeout=float(timeout),
        cohort_reports=bool(values.get("cohort_reports", True)),
        regions_given=regions_given,
        formats=tuple(f for f in FORMATS if f in formats),
        region_cohorts=region_cohorts if regions_given else {},
        unevaluated=unevaluated,
    )
