"""The cohort overview projects the share past the target for the target year and later years (issue 4)."""

from __future__ import annotations

import pytest

from living_lab.report.sections import CohortReport
from living_lab.results.context import SHARE_YEARS_AFTER_TARGET


@pytest.fixture(scope="module")
def ctx(west_java_context):
    return west_java_context


def test_share_is_projected_to_later_years_with_intervals(ctx):
    share = ctx.share_reaching
    assert share["year"].tolist() == list(range(2025, 2025 + SHARE_YEARS_AFTER_TARGET + 1))
    assert (share["n"] == 27).all()
    assert ((share["lo"] <= share["share"]) & (share["share"] <= share["hi"])).all()
    # 25 of the 27 West Java regions were at or above 3.5 in 2024 (data/spbe_index.csv); the
    # projection cannot fall below what is already observed by much, nor exceed 100 %.
    assert share["share"].between(0.8, 1.0).all()


@pytest.mark.parametrize(("lang", "header"), [("id", "Interval 80%"), ("en", "80% interval")])
def test_cohort_overview_lists_the_projected_years(ctx, lang, header):
    html = CohortReport.of(ctx, lang).share_past_target()[-1].data
    assert header in html
    for year in range(2025, 2031):
        assert f">{year}<" in html
