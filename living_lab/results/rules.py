"""The year and target rules of a report: one definition for the runner, ``living-lab reports``,
a direct notebook run (:func:`living_lab.results.context.validate_args`) and the results step.
"""

from __future__ import annotations

from living_lab.errors import ParameterError

#: How far after ``year`` a ``target_year`` may lie (the trend forecasts' horizon).
TARGET_HORIZON_YEARS = 10


def _spbe_years() -> list[int]:
    from living_lab import datasets

    return sorted(int(y) for y in datasets.load_spbe()["year"].unique())


def check_year(year: int) -> None:
    """Refuse an evaluation ``year`` without a published SPBE evaluation.

    The one definition of the year rule: the runner, ``living-lab reports`` and the notebooks
    (through :func:`living_lab.results.context.validate_args`) all call it.
    """
    years = _spbe_years()
    if year not in years:
        raise ParameterError.keyed("err.param.year", year=year, years=str(years))


def check_target(target: float) -> None:
    """Refuse a ``target`` index off the SPBE scale (:func:`living_lab.framework.check_target`)."""
    from living_lab.framework import check_target as rule

    rule(target)


def check_target_year(year: int, target_year: int) -> None:
    """Refuse a ``target_year`` before ``year`` or more than :data:`TARGET_HORIZON_YEARS` after."""
    if not year <= target_year <= year + TARGET_HORIZON_YEARS:
        raise ParameterError.keyed(
            "err.param.target_year",
            target_year=target_year,
            year=year,
            last=year + TARGET_HORIZON_YEARS,
        )
