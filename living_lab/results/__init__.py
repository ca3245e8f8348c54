"""A cohort's results, for researchers: compute them, save them as CSV tables, load them back.

``living-lab reports`` writes the results of its cohort and year beside the reports, in
``<out>/results/<cohort>-<year>/``: one CSV per table (the cohort table, SPBE series, forecasts,
rank intervals, frontier, plans, linkage positions, ...) and ``meta.json`` with each table's
schema, the scalars, the input hash and the library version. Open them with pandas directly, or
as the same :class:`~living_lab.results.context.CohortContext` the reports read::

    from living_lab import results
    ctx = results.load("reports/results/jawa-barat-2024")
    ctx.table.loc["3211", ["index", "rank", "gap"]]

The linkage study's numbers have their own folder and reader, :mod:`living_lab.results.linkage`
(``linkage.load("reports/results/linkage-study")``; see there).

Loading checks every file (sizes, checksums, header, dtypes, the expected types); a folder that
does not check out raises :class:`~living_lab.results.store.ResultsError` with the reason and is
never used. Nothing in the folder can run code.
"""

from __future__ import annotations

from pathlib import Path

from living_lab.results.context import (
    CohortContext,
    build_context,
    context_key,
    load_context,
    results_folder,
    save_context,
)

__all__ = ["CohortContext", "compute", "folder", "load", "save"]


def compute(cohort: str, year: int, target: float = 3.5, target_year: int = 2025) -> CohortContext:
    """Compute every region's results for ``cohort`` and ``year`` (no notebook needed).

    Parameters
    ----------
    cohort : cohort name (``params/cohorts/<name>.yaml`` or ``"all"``) or a cohort YAML path.
    year : SPBE evaluation year.
    target, target_year : the SPBE index target and the year it should be reached by.
    """
    return build_context(cohort, year, target, target_year)


def save(ctx: CohortContext, out: str | Path) -> Path:
    """Write ``ctx`` to ``<out>/results/<cohort>-<year>/`` (as the reports do); return the folder."""
    path = results_folder(out, ctx.cohort, ctx.year)
    save_context(ctx, path)
    return path


def folder(out: str | Path, cohort: str, year: int) -> Path:
    """The results folder a batch writing to ``out`` uses for ``cohort`` and ``year``."""
    return results_folder(out, cohort, year)


def load(path: str | Path, *, inputs: tuple[str, int, float, int] | None = None) -> CohortContext:
    """Load a results folder, checking every file.

    Parameters
    ----------
    path : the folder (e.g. ``reports/results/jawa-barat-2024``).
    inputs : optionally ``(cohort, year, target, target_year)``; the folder must then hold the
        results of exactly these inputs with the current data and library.
    """
    key = context_key(*inputs) if inputs is not None else None
    return load_context(Path(path), key=key)
