"""Typed models of the configuration files and notebook parameters, kept as JSON Schema data.

The schemas live in ``living_lab/schemas/<name>.json`` (shipped as package data). Each property
carries an ``x-expected`` phrase ("an integer from 1 to 256"), which is what an error says was
expected, and may carry an ``x-type`` phrase ("an integer") used when only the type is wrong. :func:`problems` lists every problem of a mapping at once (every unknown key, every bad
value), one line each; :func:`check` raises them as one :class:`SchemaError`, and
:func:`read_file` reads a params file with the one strict YAML reader and checks it, naming the
line of each problem.

Rules JSON Schema cannot say (a year with a published evaluation, an existing cohort, a
resolvable region, a filter column of ``data/regions.csv``) stay Python checks of the code
that reads the file (:mod:`living_lab.report.params`, :mod:`living_lab.cohorts`,
:mod:`living_lab.peers.config`, :mod:`living_lab.linkage.specs`); they add their problems to
the same list.

Besides records (``properties``), a model may describe a mapping of free names to one model
(``additionalProperties`` a schema, ``propertyNames`` the rule for the names: an ``enum`` or
a ``pattern`` with an ``x-expected`` phrase); each entry is then checked like a record field.
A local ``{"$ref": "#/$defs/name"}`` is replaced by its definition when the schema is loaded.

Examples
--------
>>> problems("runner_settings", {"jobs": 0, "force": "yes"})
[('jobs', 'expected an integer from 1 to 256, got 0'), ('force', "expected true or false, got 'yes'")]
"""

from __future__ import annotations

import difflib
import json
import sys
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from living_lab.errors import InputError
from living_lab.text import t

#: Names of the bundled schemas (``living_lab/schemas/<name>.json``).
SCHEMAS = (
    "notebook_parameters",
    "runner_settings",
    "notebooks",
    "improvement",
    "national_targets",
    "peer_groups",
    "cohort",
    "linkage_specs",
    "linkage_filters",
)

#: A problem: (key path or ``None`` for the whole file, what was expected).
Problem = tuple[str | None, str]


class Message(str):
    """A problem's message in English (it is a ``str``) that can also be said in another
    language: :meth:`localized` renders it from the catalogue (``err.schema.*``), with the
    schema's ``x-expected`` phrase translated by ``schema.expected.<phrase>``
    (``locales/id/schema.yml``) when the language has it."""

    render: Callable[[str], str]

    def __new__(cls, render: Callable[[str], str]) -> Message:
        message = super().__new__(cls, render("en"))
        message.render = render
        return message

    def localized(self, lang: str) -> str:
        return self.render(lang)

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))  # a copy in another process is the English text


def _say(key: str, **fields: Any) -> Message:
    """The message ``key`` of the catalogue; a field ``wanted`` is an ``x-expected`` phrase."""

    def render(lang: str) -> str:
        values = dict(fields)
        if "wanted" in values:
            values["wanted"] = _phrase(values["wanted"], lang)
        return t(key, lang, **values)  # type: ignore[arg-type]

    return Message(render)


def say(key: str, /, **fields: Any) -> Message:
    """A rule's problem message from the catalogue (for the ``rules`` of :func:`read_file`)."""
    return _say(key, **fields)


def said(error: Any) -> Message:
    """A library error's message (a :class:`~living_lab.errors.LivingLabError`) as a problem."""
    return Message(error.localized)


def _phrase(english: str, lang: str) -> str:
    """A schema's ``x-expected`` or ``x-type`` phrase in ``lang`` (English if not translated)."""
    if lang == "en":
        return english
    try:
        return t(f"schema.expected.{english}", lang)  # type: ignore[arg-type]
    except KeyError:
        return english


def _localized(message: str, lang: str) -> str:
    return message.localized(lang) if isinstance(message, Message) else message


class SchemaError(InputError):
    """Every problem of one file or mapping; ``lines`` holds one line per problem.

    With one problem the message is the usual ``file, line 3, field 'x': what was expected``;
    with several, ``file: N problems: line 3, field 'a': ...; field 'b': ...`` (and ``lines``
    lists them). ``where`` maps key paths to their line in the file (see
    :func:`living_lab.validate.read_yaml_lines`); a problem whose key is absent (a missing key)
    takes the line of the mapping it belongs to. :meth:`localized` and :meth:`localized_lines`
    say the same in another language (messages made by this module are :class:`Message`).
    Every field of a schema is a key of a mapping (Indonesian "kunci", never "kolom").
    """

    def __init__(
        self,
        found: list[Problem],
        *,
        file: str | Path | None,
        where: Mapping[str, int] | None = None,
    ) -> None:
        self.problems = found
        self.rows = rows = [line_of(fld, where or {}) for fld, _ in found]
        self.lines = self.localized_lines("en", file)
        if len(found) == 1:
            super().__init__(found[0][1], file=file, row=rows[0], field=found[0][0])
        else:
            super().__init__(self._joined("en"), file=file)

    def _joined(self, lang: str) -> str:
        joined = "; ".join(
            InputError(m, row=r, field=f)._format(lang, _localized(m, lang), key=True)
            for (f, m), r in zip(self.problems, self.rows, strict=True)
        )
        return t("err.schema.problems", lang, n=len(self.problems), joined=joined)  # type: ignore[arg-type]

    def localized_lines(self, lang: str, file: str | Path | None = None) -> list[str]:
        """One line per problem in ``lang``, each naming the file, line and field."""
        file = self.file if file is None else file
        return [
            InputError(m, file=file, row=r, field=f)._format(lang, _localized(m, lang), key=True)
            for (f, m), r in zip(self.problems, self.rows, strict=True)
        ]

    def localized(self, lang: str) -> str:
        if len(self.problems) == 1:
            return self._format(lang, _localized(self.problems[0][1], lang), key=True)
        return self._format(lang, self._joined(lang), key=True)


def line_of(field: str | None, where: Mapping[str, int]) -> int | None:
    """Line of key path ``field`` in its file, else of the nearest enclosing key, else ``None``."""
    while field:
        if field in where:
            return where[field]
        cut = max(field.rfind("."), field.rfind("["))
        field = field[:cut] if cut > 0 else None
    return None


def avoid_slow_imports() -> None:
    """Keep optional modules that cost seconds per process out of this process.

    jsonschema (imported here and by nbformat) imports ``rfc3987_syntax`` when installed, and
    that compiles some forty grammars at import: 2-3 s of CPU in every process that reads a
    params file or a notebook. Neither our models nor the notebook schema use the IRI formats
    it checks, so the library goes without it. Effective only before jsonschema's first import.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


@cache
def _validator_class() -> Any:
    """Draft 2020-12, except that an integer is a Python ``int`` (not ``2024.0``, not ``True``).

    The models use no ``format`` keyword, so jsonschema is imported without its IRI formats
    (:func:`avoid_slow_imports`).
    """
    avoid_slow_imports()
    from jsonschema import Draft202012Validator, validators

    def is_int(_checker: Any, instance: Any) -> bool:
        return isinstance(instance, int) and not isinstance(instance, bool)

    checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", is_int)
    return validators.extend(Draft202012Validator, type_checker=checker)


@cache
def load(name: str) -> dict[str, Any]:
    """The bundled JSON Schema ``name`` (see :data:`SCHEMAS`), local ``$ref`` resolved."""
    if name not in SCHEMAS:
        raise KeyError(f"no schema {name!r}; expected one of {list(SCHEMAS)}")
    text = resources.files("living_lab").joinpath("schemas", f"{name}.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    resolved: dict[str, Any] = _inline_refs(schema, schema.get("$defs", {}))
    return resolved


def _inline_refs(node: Any, defs: Mapping[str, Any]) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/x"}`` replaced by ``defs["x"]`` (not recursive)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return {
                **_inline_refs(defs[ref.removeprefix("#/$defs/")], {}),
                **{k: v for k, v in node.items() if k != "$ref"},
            }
        return {k: v if k == "$defs" else _inline_refs(v, defs) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline_refs(v, defs) for v in node]
    return node


def properties(*names: str) -> dict[str, dict[str, Any]]:
    """The property models of one or more schemas, merged (later names win)."""
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        out.update(load(name)["properties"])
    return out


def unknown_keys(
    keys: Iterable[str], known: Iterable[str], *, noun: str = "parameter"
) -> str | None:
    """One line naming every key not in ``known`` (with a close match for each), or ``None``
    (a :class:`Message`: English, and in another language through ``localized``)."""
    known = sorted(known)
    unknown = [k for k in keys if k not in known]
    if not unknown:
        return None
    close = {k: difflib.get_close_matches(k, known, n=1) for k in unknown}

    def render(lang: str) -> str:
        def say(key: str, **values: Any) -> str:
            return t(key, lang, **values)  # type: ignore[arg-type]

        named = [
            f"{k!r}" + (say("err.schema.did_you_mean", close=repr(close[k][0])) if close[k] else "")
            for k in unknown
        ]
        many = len(named) > 1
        names = ", ".join(named[:-1]) + say("err.schema.and") + named[-1] if many else named[0]
        try:
            what = say(
                f"err.schema.noun.{noun.replace(' ', '_')}.{'many' if many else 'one'}", names=names
            )
        except KeyError:  # a noun without a text: as the schema writes it
            what = f"{noun}{'s' if many else ''} {names}"
        listed = ", ".join(known)
        return say(
            "err.schema.unknown", what=what, known=listed, quoted=", ".join(map(repr, known))
        )

    return Message(render)


def _is_record(model: Mapping[str, Any]) -> bool:
    """Whether ``model`` describes a mapping with named fields (checked field by field)."""
    return model.get("type") == "object" and "properties" in model


def _is_map(model: Mapping[str, Any]) -> bool:
    """Whether ``model`` describes a mapping of free names to one model (checked entry by entry)."""
    return (
        model.get("type") == "object"
        and "properties" not in model
        and isinstance(model.get("additionalProperties"), Mapping)
    )


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
) -> list[Problem]:
    """Every problem of mapping ``data`` against a schema, as ``(field, message)`` pairs.

    Records (objects with ``properties``), mappings of names to a model and lists of either
    are checked entry by entry, so a nested problem is named by its path
    (``feasibility.quantile``, ``targets[2].year``, ``groups.kind.type``); any other value is
    checked whole against its model.

    Parameters
    ----------
    schema : a bundled schema name or a schema mapping (an object schema with ``properties``).
    data : the mapping to check.
    only : check only these keys' values (others are left to the caller).
    check_unknown : report keys the schema does not list (one problem per key, named by it).
    prefix : path of ``data`` inside the file (for nested records).

    Returns
    -------
    list of (field, message) : for each record, its unknown keys first, then its missing keys,
        then one entry per bad value, in key order.
    """
    model = load(schema) if isinstance(schema, str) else dict(schema)
    noun = model.get("x-noun", "parameter")
    if not isinstance(data, Mapping):
        wanted = model.get("x-expected", "a mapping")
        return [
            (
                prefix.rstrip(".") or None,
                _say("err.schema.value", wanted=wanted, value=_short(data)),
            )
        ]
    props: dict[str, dict[str, Any]] = model.get("properties", {})
    found: list[Problem] = []
    if check_unknown and model.get("additionalProperties", True) is False:
        for key in (str(k) for k in data if k not in props):
            line = unknown_keys([key], props, noun=noun)
            found.append((prefix + key, line or ""))
    for key in model.get("required", []):
        if key not in data:
            wanted = props.get(key, {}).get("x-expected", "a value")
            found.append((prefix + key, _say("err.schema.missing", wanted=wanted)))
    keys = [k for k in data if k in props and (only is None or k in set(only))]
    for key in keys:
        found += _value_problems(props[key], data[key], prefix + str(key))
    return found


def _value_problems(sub: Mapping[str, Any], value: Any, where: str) -> list[Problem]:
    """Problems of one value at key path ``where`` against its model ``sub``."""
    items = sub.get("items", {})
    found: list[Problem] = []
    if _is_record(sub) and isinstance(value, Mapping):
        return problems(sub, value, prefix=where + ".")
    if _is_map(sub) and isinstance(value, Mapping):
        names = sub.get("propertyNames", {})
        bad = [str(k) for k in value if next(_validator_class()(names).iter_errors(str(k)), None)]
        for key in bad:
            if "enum" in names:
                line = unknown_keys([key], names["enum"], noun=sub.get("x-noun", "key"))
                found.append((f"{where}.{key}", line or ""))
            else:
                wanted = names.get("x-expected", "another name")
                found.append(
                    (f"{where}.{key}", _say("err.schema.value", wanted=wanted, value=_short(key)))
                )
        entry = sub["additionalProperties"]
        for key, item in value.items():
            if str(key) not in bad:
                found += _value_problems(entry, item, f"{where}.{key}")
        whole = {k: v for k, v in sub.items() if k not in {"additionalProperties", "propertyNames"}}
    elif (
        sub.get("type") == "array"
        and (_is_record(items) or _is_map(items))
        and isinstance(value, list)
    ):
        for i, item in enumerate(value):
            found += _value_problems(items, item, f"{where}[{i}]")
        whole = {k: v for k, v in sub.items() if k != "items"}
    else:
        whole = dict(sub)
    error = next(_validator_class()(whole).iter_errors(value), None)
    if error is not None:
        # A wrong type is named by its type ("an integer"); any other problem by the
        # full expectation ("an integer from 1 to 256").
        wanted = sub.get("x-expected", "a mapping" if _is_record(sub) else "another value")
        if error.validator == "type" and not error.path:
            wanted = sub.get("x-type", wanted)
        found.insert(0, (where, _say("err.schema.value", wanted=wanted, value=_short(value))))
    return found


def check(
    schema: str | Mapping[str, Any],
    data: Mapping[str, Any],
    *,
    file: str | Path | None = None,
    where: Mapping[str, int] | None = None,
    **kwargs: Any,
) -> None:
    """Raise :class:`SchemaError` listing every problem of ``data`` (see :func:`problems`)."""
    found = problems(schema, data, **kwargs)
    if found:
        raise SchemaError(found, file=file, where=where)


#: A params file's own rules: ``rules(raw, bad)`` returns the problems JSON Schema cannot
#: find; ``bad`` holds the key paths the model already refused (a rule skips what lies there).
Rules = Callable[[dict[str, Any], "Bad"], list[Problem]]


class Bad:
    """The key paths a model refused, asked by path: is this key, or anything under it, bad?"""

    def __init__(self, fields: Iterable[str | None]) -> None:
        self.fields = [f for f in fields if f]

    def under(self, where: str) -> bool:
        """Whether ``where``, a key above it, or a key below it was refused."""
        return any(
            f == where
            or where.startswith((f + ".", f + "["))
            or f.startswith((where + ".", where + "["))
            for f in self.fields
        )


def read_file(
    path: str | Path, name: str, rules: Rules | None = None
) -> tuple[dict[str, Any], dict[str, int]]:
    """Read a params file with the strict YAML reader and check it against schema ``name``.

    ``rules`` adds the file's own checks (see :data:`Rules`); they run on every part the model
    accepted, so a file's schema problems and its rule problems are listed together, each
    once, with its line where the reader knows it. Returns the mapping and the line of each key
    path. An empty file and a file that is not a mapping are refused too.
    """
    from living_lab.validate import read_yaml_lines

    raw, lines = read_yaml_lines(path)
    if raw is None:
        wanted = load(name).get("x-expected", "a mapping")
        raise SchemaError([(None, _say("err.schema.empty", wanted=wanted))], file=path)
    found = problems(name, raw)
    if rules is not None and isinstance(raw, dict):
        found += rules(raw, Bad(f for f, _ in found))
    if found:
        raise SchemaError(found, file=path, where=lines)
    return raw, lines
