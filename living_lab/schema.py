"""Typed models of the configuration files and notebook parameters, kept as JSON Schema data.

The schemas live in ``living_lab/schemas/<name>.json`` (shipped as package data). Each property
carries an ``x-expected`` phrase ("an integer from 1 to 256"), which is what an error says was
expected, and may carry an ``x-type`` phrase ("an integer") used when only the type is wrong. :func:`problems` lists every problem of a mapping at once (every unknown key, every bad
value), one line each; :func:`check` raises them as one :class:`SchemaError`.

Rules JSON Schema cannot say (a year with a published evaluation, an existing cohort, a
resolvable region) stay Python checks in :mod:`living_lab.report.params`.

Examples
--------
>>> problems("runner_settings", {"jobs": 0, "force": "yes"})
[('jobs', 'expected an integer from 1 to 256, got 0'), ('force', "expected true or false, got 'yes'")]
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from living_lab.errors import InputError

#: Names of the bundled schemas (``living_lab/schemas/<name>.json``).
SCHEMAS = (
    "notebook_parameters",
    "runner_settings",
    "notebooks",
    "improvement",
    "national_targets",
)


class SchemaError(InputError):
    """Every problem of one file or mapping; ``lines`` holds one line per problem.

    With one problem the message is the usual ``file, field 'x': what was expected``; with
    several, ``file: N problems: field 'a': ...; field 'b': ...`` (and ``lines`` lists them).
    """

    def __init__(self, found: list[tuple[str | None, str]], *, file: str | Path | None) -> None:
        self.problems = found
        self.lines = [str(InputError(msg, file=file, field=fld)) for fld, msg in found]
        if len(found) == 1:
            super().__init__(found[0][1], file=file, field=found[0][0])
        else:
            joined = "; ".join(f"field '{f}': {m}" if f else m for f, m in found)
            super().__init__(f"{len(found)} problems: {joined}", file=file)


@cache
def _validator_class() -> Any:
    """Draft 2020-12, except that an integer is a Python ``int`` (not ``2024.0``, not ``True``)."""
    from jsonschema import Draft202012Validator, validators

    def is_int(_checker: Any, instance: Any) -> bool:
        return isinstance(instance, int) and not isinstance(instance, bool)

    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", is_int)
    return validators.extend(Draft202012Validator, type_checker=checker)


@cache
def load(name: str) -> dict[str, Any]:
    """The bundled JSON Schema ``name`` (see :data:`SCHEMAS`)."""
    if name not in SCHEMAS:
        raise KeyError(f"no schema {name!r}; expected one of {list(SCHEMAS)}")
    text = resources.files("living_lab").joinpath("schemas", f"{name}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def properties(*names: str) -> dict[str, dict[str, Any]]:
    """The property models of one or more schemas, merged (later names win)."""
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        out.update(load(name)["properties"])
    return out


def unknown_keys(
    keys: Iterable[str], known: Iterable[str], *, noun: str = "parameter"
) -> str | None:
    """One line naming every key not in ``known`` (with a close match for each), or ``None``."""
    known = sorted(known)
    unknown = [k for k in keys if k not in known]
    if not unknown:
        return None
    named = []
    for key in unknown:
        close = difflib.get_close_matches(key, known, n=1)
        named.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    what = (
        f"{noun} " + named[0]
        if len(named) == 1
        else f"{noun}s " + ", ".join(named[:-1]) + " and " + named[-1]
    )
    return f"unknown {what}; expected one of {', '.join(known)}"


def _is_record(model: Mapping[str, Any]) -> bool:
    """Whether ``model`` describes a mapping with named fields (checked field by field)."""
    return model.get("type") == "object" and "properties" in model


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def problems(
    schema: str | Mapping[str, Any],
    data: Any,
    *,
    only: Iterable[str] | None = None,
    check_unknown: bool = True,
    prefix: str = "",
) -> list[tuple[str | None, str]]:
    """Every problem of mapping ``data`` against a schema, as ``(field, message)`` pairs.

    Records (objects with ``properties``) and lists of records are checked field by field, so a
    nested problem is named by its path (``feasibility.quantile``, ``targets[2].year``); any
    other value is checked whole against its model.

    Parameters
    ----------
    schema : a bundled schema name or a schema mapping (an object schema with ``properties``).
    data : the mapping to check.
    only : check only these keys' values (others are left to the caller).
    check_unknown : report keys the schema does not list (all in one problem, as the first).
    prefix : path of ``data`` inside the file (for nested records).

    Returns
    -------
    list of (field, message) : for each record, its unknown keys first (in one entry, field
        ``None`` when several), then its missing keys, then one entry per bad value, in key order.
    """
    model = load(schema) if isinstance(schema, str) else dict(schema)
    noun = model.get("x-noun", "parameter")
    if not isinstance(data, Mapping):
        return [(prefix.rstrip(".") or None, f"expected a mapping, got {_short(data)}")]
    props: dict[str, dict[str, Any]] = model.get("properties", {})
    found: list[tuple[str | None, str]] = []
    if check_unknown and model.get("additionalProperties", True) is False:
        extra = [str(k) for k in data if k not in props]
        line = unknown_keys(extra, props, noun=noun)
        if line is not None:
            found.append(
                (prefix + extra[0] if len(extra) == 1 else prefix.rstrip(".") or None, line)
            )
    for key in model.get("required", []):
        if key not in data:
            wanted = props.get(key, {}).get("x-expected", "a value")
            found.append((prefix + key, f"expected {wanted} (missing)"))
    keys = [k for k in data if k in props and (only is None or k in set(only))]
    for key in keys:
        sub, value, where = props[key], data[key], prefix + key
        items = sub.get("items", {})
        if _is_record(sub) and isinstance(value, Mapping):
            found += problems(sub, value, prefix=where + ".")
            continue
        if sub.get("type") == "array" and _is_record(items) and isinstance(value, list):
            for i, item in enumerate(value):
                found += problems(items, item, prefix=f"{where}[{i}].")
            model_of_list = {k: v for k, v in sub.items() if k != "items"}
            error = next(_validator_class()(model_of_list).iter_errors(value), None)
        else:
            error = next(_validator_class()(sub).iter_errors(value), None)
        if error is not None:
            # A wrong type is named by its type ("an integer"); any other problem by the
            # full expectation ("an integer from 1 to 256").
            wanted = sub.get("x-expected", "another value")
            if error.validator == "type" and not error.path:
                wanted = sub.get("x-type", wanted)
            found.append((where, f"expected {wanted}, got {_short(value)}"))
    return found


def check(
    schema: str | Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    file: str | Path | None = None,
    **kwargs: Any,
) -> None:
    """Raise :class:`SchemaError` listing every problem of ``data`` (see :func:`problems`)."""
    found = problems(schema, data, **kwargs)
    if found:
        raise SchemaError(found, file=file)
