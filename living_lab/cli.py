"""The ``living-lab`` command line.

Each subcommand lives in ``living_lab/commands/<name>.py`` and exposes ``register(subparsers)``
(adding its parser with ``set_defaults(func=run)``) and ``run(args) -> int``.

What the user sees when something goes wrong is one line on standard error, never a
traceback (the table of cases is ``docs/bad_inputs.md``):

* exit 2 - bad input or usage: an error of the library (:class:`~living_lab.errors.LivingLabError`,
  naming the file, line, field or parameter) or an argument argparse refused;
* exit 1 - anything else (a bug or a failure of the machine): ``unexpected error (...)`` with
  a hint to rerun with ``--debug`` (or ``LIVING_LAB_DEBUG=1``), which shows the traceback;
* exit 130 - interrupted (Ctrl-C).

Language: help, argparse's own words and errors, messages and library errors are printed in
one language, chosen before parsing: ``--lang id|en`` anywhere on the command line, else the
environment variable ``LIVING_LAB_LANG`` (``id`` or ``en``; another value is refused), else
Bahasa Indonesia. Every text comes from ``living_lab/locales/{id,en}/cli.yml`` (help and
command-line messages) and ``errors.yml`` (library errors, see
:meth:`~living_lab.errors.LivingLabError.localized`). A subcommand's own ``--lang`` (its table
output) defaults to the same language.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from living_lab import __version__
from living_lab.errors import LivingLabError
from living_lab.escape import terminal_text
from living_lab.text import LANGS, t

#: Subcommand modules, in the order ``--help`` lists them.
COMMANDS = ("data", "regions", "peers", "template", "score", "plan", "audit", "reports")
#: Set (to anything but 0 or empty) to get tracebacks of unexpected errors, like ``--debug``.
DEBUG_ENV = "LIVING_LAB_DEBUG"


#: Environment variable choosing the language when the command line has no ``--lang``.
LANG_ENV = "LIVING_LAB_LANG"


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help in the command line's language: the "usage:" prefix comes from the catalogue.

    Descriptions keep their line breaks (they are written as paragraphs and example lists in
    ``locales/*/cli.yml``).
    """

    def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
        if prefix is None:
            prefix = text("argparse.usage") + " "
        super().add_usage(usage, actions, groups, prefix)


class ArgumentParser(argparse.ArgumentParser):
    """argparse in the command line's language, with a usage error printed as one line.

    The group titles ("positional arguments", "options") and the ``-h/--help`` option are our
    own, from the catalogue; argparse's own error messages are put into the language by
    :func:`argparse_message`. Subcommand parsers inherit the class, so every command behaves
    the same way.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs["formatter_class"] = HelpFormatter
        kwargs["add_help"] = False  # our own -h/--help below, its help text from the catalogue
        super().__init__(*args, **kwargs)
        self._positionals.title = text("argparse.positionals")
        self._optionals.title = text("argparse.options")
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help=text("help_help")
            )

    def error(self, message: str) -> NoReturn:
        lang = cli_lang()
        line = t(  # type: ignore[arg-type]
            "cli.usage_error",
            lang,  # type: ignore[arg-type]
            prog=self.prog,
            message=one_line(argparse_message(message, lang)),
        )
        self.exit(2, line + "\n")


#: argparse's own error messages (Python 3.11-3.13 wording), each with the catalogue key of its
#: text; the named groups are the values the text quotes.
_ARGPARSE_ERRORS = (
    (r"argument (?P<arg>[^:]+): (?P<rest>.*)", "argparse.argument"),
    (r"the following arguments are required: (?P<args>.*)", "argparse.required"),
    (r"one of the arguments (?P<args>.*) is required", "argparse.one_required"),
    (r"unrecognized arguments: (?P<args>.*)", "argparse.unrecognized"),
    (r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)", "argparse.invalid_choice"),
    (r"expected one argument", "argparse.expected_one"),
    (r"expected at most one argument", "argparse.expected_at_most_one"),
    (r"expected at least one argument", "argparse.expected_at_least_one"),
    (r"expected (?P<n>\d+) arguments?", "argparse.expected_n"),
    (r"invalid (?P<type>int|float) value: (?P<value>.*)", "argparse.invalid_number"),
    (r"invalid (?P<type>\w+) value: (?P<value>.*)", "argparse.invalid_value"),
    (r"not allowed with argument (?P<arg>.*)", "argparse.not_allowed_with"),
    (r"ignored explicit argument (?P<value>.*)", "argparse.ignored_explicit"),
    (r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)", "argparse.ambiguous"),
)


def argparse_message(message: str, lang: str) -> str:
    """An error message of argparse in ``lang`` (a message it does not know stays as it is).

    Examples
    --------
    >>> argparse_message("argument --year: invalid int value: 'x'", "id")
    "argumen --year: nilai 'x' bukan bilangan bulat"
    >>> argparse_message("the following arguments are required: --target", "id")
    'argumen berikut wajib diberikan: --target'
    """
    for pattern, key in _ARGPARSE_ERRORS:
        m = re.fullmatch(pattern, message, flags=re.S)
        if m is None:
            continue
        values = m.groupdict()
        if "rest" in values:
            values["rest"] = argparse_message(values["rest"], lang)
        if "type" in values:
            values["type"] = (
                t(f"cli.argparse.type.{values['type']}", lang)  # type: ignore[arg-type]
                if values["type"] in ("int", "float")
                else values["type"]
            )
        return t(f"cli.{key}", lang, **values)  # type: ignore[arg-type]
    return message


#: Language of the command line's own messages and help for this process (see :func:`cli_lang`).
_LANG: list[str] = ["id"]


def cli_lang() -> str:
    """The language of the command line's own messages and help (see :func:`choose_lang`)."""
    return _LANG[0]


def text(key: str, /, **values: object) -> str:
    """The command-line text ``cli.<key>`` in the command line's language (help, titles)."""
    return t(f"cli.{key}", cli_lang(), **values)  # type: ignore[arg-type]


def choose_lang(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language of the command line, decided before parsing it.

    ``--lang en`` / ``--lang=en`` anywhere on the command line (before or after the command);
    else the environment variable ``LIVING_LAB_LANG`` (``id`` or ``en``); else Indonesian.
    A value that is not a language is left to the parser (``--lang``, which then refuses it
    in Indonesian) or refused by :func:`main` (the variable).

    Examples
    --------
    >>> choose_lang(["peers", "3211", "--lang", "en"], {})
    'en'
    >>> choose_lang(["peers", "3211"], {"LIVING_LAB_LANG": "en"}), choose_lang([], {})
    ('en', 'id')
    """
    environ = os.environ if environ is None else environ
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in LANGS:
            return value
    env = environ.get(LANG_ENV, "").strip()
    return env if env in LANGS else "id"


def add_lang_option(p: argparse.ArgumentParser) -> None:
    """``--lang`` for a command that prints only messages: accepted there too (the language is
    chosen before parsing, :func:`choose_lang`), so ``--lang`` may stand anywhere."""
    p.add_argument("--lang", choices=list(LANGS), default=cli_lang(), help=text("lang_help_short"))


def one_line(text: object) -> str:
    """``text`` on one line, terminal escape sequences and control characters removed (a
    message may quote user data)."""
    return terminal_text(text)


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The parser of ``living-lab`` with its help in ``lang`` (default: :func:`cli_lang`)."""
    if lang is not None:
        _LANG[0] = lang
    parser = ArgumentParser(prog="living-lab", description=text("description"))
    parser.add_argument(
        "--version",
        action="version",
        version=f"living-lab {__version__}",
        help=text("version_help"),
    )
    parser.add_argument("--debug", action="store_true", help=text("debug_help", env=DEBUG_ENV))
    parser.add_argument(
        "--lang",
        dest="cli_lang",
        choices=list(LANGS),
        default=None,
        help=text("lang_help", env=LANG_ENV),
    )
    sub = parser.add_subparsers(
        dest="command", metavar=text("metavar.command"), title=text("commands_title")
    )
    for name in COMMANDS:
        importlib.import_module(f"living_lab.commands.{name}").register(sub)
    return parser


def _debug(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "debug", False)) or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = choose_lang(argv)
    _LANG[0] = lang
    env = os.environ.get(LANG_ENV, "").strip()
    if env and env not in LANGS:
        message = t("cli.lang_env_invalid", lang, env=LANG_ENV, value=env, langs=", ".join(LANGS))  # type: ignore[arg-type]
        print(t("cli.error", lang, prog="living-lab", message=one_line(message)), file=sys.stderr)  # type: ignore[arg-type]
        return 2
    parser = build_parser(lang)
    args = parser.parse_args(argv)
    given = [a for a in argv if a == "--lang" or a.startswith("--lang=")]
    if getattr(args, "cli_lang", None) and hasattr(args, "lang") and len(given) == 1:
        args.lang = args.cli_lang  # `living-lab --lang en peers ...`: one language for all
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    prog = f"living-lab {args.command}"
    try:
        return int(args.func(args) or 0)
    except LivingLabError as exc:
        # A file with several problems (a SchemaError) gets one line per problem.
        lines = getattr(exc, "localized_lines", None)
        for line in lines(lang) if lines else [exc.localized(lang)]:
            print(t("cli.error", lang, prog=prog, message=one_line(line)), file=sys.stderr)  # type: ignore[arg-type]
        return exc.exit_code
    except KeyboardInterrupt:
        print(t("cli.interrupted", lang, prog=prog), file=sys.stderr)  # type: ignore[arg-type]
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        # Not the user's input: a bug or a failure of the machine. One line, not a traceback,
        # but never silently: the hint says how to see the traceback for a report.
        if _debug(args):
            raise
        detail = one_line(exc) or t("cli.no_message", lang)  # type: ignore[arg-type]
        print(
            t(
                "cli.unexpected",
                lang,  # type: ignore[arg-type]
                prog=prog,
                kind=type(exc).__name__,
                message=detail,
                command=args.command,
            ),
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
