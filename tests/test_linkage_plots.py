"""Linkage figures: one mark per estimate, labelled axes with units, both languages, labels."""

from __future__ import annotations

import doctest

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from living_lab import linkage
from living_lab.errors import ParameterError
from living_lab.linkage import simulate
from living_lab.plots.linkage import plot_coefficients, plot_region_scatter


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return linkage.robustness_table("stunting_prevalence_pct", bootstrap=99)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _texts(fig: Figure) -> str:
    return " ".join(t.get_text() for t in fig.findobj(plt.Text))


@pytest.mark.parametrize(("lang", "word"), [("id", "Koefisien"), ("en", "Coefficient")])
def test_coefficient_plot(table, lang, word):
    fig = plot_coefficients(table, lang)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith(word) and ax.get_title()
    # One marker per estimated row, at its coefficient.
    points = sorted(
        float(line.get_xdata()[0]) for line in ax.get_lines() if line.get_marker() == "o"
    )
    np.testing.assert_allclose(points, sorted(table["coef"].dropna()))
    # The reference line at zero ("no association").
    assert any(
        np.allclose(line.get_xdata(), 0) for line in ax.get_lines() if line.get_linestyle() == "--"
    )
    assert len(ax.get_yticklabels()) == len(table)
    assert (
        "Asosiasi, bukan sebab-akibat" if lang == "id" else "Association, not causation"
    ) in _texts(fig)


def test_coefficient_plot_marks_rows_that_could_not_be_estimated(table):
    broken = table.copy()
    broken.loc[1, ["coef", "ci_low", "ci_high", "wild_ci_low", "wild_ci_high", "n"]] = np.nan
    fig = plot_coefficients(broken, "en")
    assert "not estimated" in _texts(fig)


def test_coefficient_plot_refuses_other_tables():
    with pytest.raises(ParameterError):
        plot_coefficients(pd.DataFrame({"x": [1]}))


def test_region_scatter_shows_the_region_its_expectation_and_peers():
    view = linkage.region_view("3211")
    fig = plot_region_scatter(view, lang="id")
    ax = fig.axes[0]
    assert "Indeks SPBE 2023" in ax.get_xlabel() and "(%)" in ax.get_ylabel()
    texts = _texts(fig)
    assert "Kab. Sumedang" in texts and "interval prediksi 95%" in texts
    for name in view.peers["name"]:
        assert name.replace("Kabupaten ", "Kab. ") in texts


def test_region_scatter_from_a_result_and_synthetic_label():
    res = linkage.fit(linkage.main_spec(), simulate.simulate_cross_section(4), bootstrap=0)
    fig = plot_region_scatter(res, None, "en", highlight=["S0001", "S0002"])
    assert "SYNTHETIC" in _texts(fig)
    fig = plot_region_scatter(res, "S0003", "en")
    assert "Synthetic region 0003" in _texts(fig)
    with pytest.raises(ParameterError):
        plot_region_scatter("3211")  # type: ignore[arg-type]


def test_docstring_example_runs():
    import living_lab.plots.linkage as mod

    result = doctest.testmod(mod)
    assert result.attempted > 0 and result.failed == 0
