"""The improvement-plan model: feasibility bounds from the data, the path by round, the focus,
partners on shared context, and one answer for the report, ``plan --region`` and the library.

Expected values are computed here independently from ``data/spbe_index.csv`` (KemenPANRB,
Laporan Evaluasi SPBE 2023 and 2024) with the csv module and numpy, or checked as invariants
over every region with a 2024 result.
"""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pandas as pd
import pytest

from living_lab import datasets, peers
from living_lab.cli import main
from living_lab.improvement import feasible_path, gain_bounds, improvement_plan, plan_tables
from living_lab.improvement.feasibility import GainBounds
from living_lab.improvement.settings import load_settings
from living_lab.peers.partners import clear_lead_margin
from living_lab.trends.pooled import NOISE_PRIOR_SD

YEAR = 2024
DOMAINS = ("d1", "d2", "d3", "d4")


def _csv_scores() -> dict[int, dict[str, dict[str, float]]]:
    out: dict[int, dict[str, dict[str, float]]] = {2023: {}, 2024: {}}
    from living_lab import paths

    with paths.dataset("spbe_index").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            y = int(r["year"])
            if y in out and r["index"] and all(r[d] for d in DOMAINS):
                out[y][r["region_code"]] = {k: float(r[k]) for k in (*DOMAINS, "index")}
    return out


@pytest.fixture(scope="module")
def bounds() -> GainBounds:
    return gain_bounds()


@pytest.fixture(scope="module")
def all_plans():
    """Every region with a 2024 result, planned among all evaluated kabupaten/kota (a minute:
    only the test whose promise is every region uses it, in the full tier)."""
    codes = sorted(peers.data.scores(YEAR).index)
    return codes, plan_tables(codes, group="all", year=YEAR, target=3.5)


@pytest.fixture(scope="module")
def sample_plans():
    """Every tenth region with a 2024 result (about 50, across the whole range of codes and so
    of provinces), each planned among all evaluated kabupaten/kota as in :func:`all_plans`."""
    codes = sorted(peers.data.scores(YEAR).index)[::10]
    return codes, plan_tables(codes, group="all", year=YEAR, target=3.5)


# --- feasibility bounds ---------------------------------------------------------------------


def test_bounds_are_the_published_changes_quantile(bounds):
    data = _csv_scores()
    both = sorted(set(data[2023]) & set(data[2024]))
    assert bounds.n_regions == len(both) and (bounds.from_year, bounds.to_year) == (2023, 2024)
    q = load_settings().quantile
    # D4 Layanan starting in 3-4: 286 regions, none pooled; the bound is their 90th percentile
    # change, floored to the published 0.01.
    start = np.array([data[2023][c]["d4"] for c in both])
    change = np.array([data[2024][c]["d4"] - data[2023][c]["d4"] for c in both])
    band = (start >= 3) & (start < 4)
    row = bounds.table[(bounds.table["domain"] == 4) & (bounds.table["lo"] == 3)].iloc[0]
    assert int(row["n"]) == band.sum() and not row["pooled"]
    expected = math.floor(round(np.quantile(change[band], q) * 100, 6)) / 100
    assert row["raw_bound"] == pytest.approx(expected)
    # Effort grows with level: no band's bound is above a lower band's.
    for _, g in bounds.table.groupby("domain"):
        assert g.sort_values("band")["bound"].is_monotonic_decreasing
        assert (g["bound"] <= g["raw_bound"] + 1e-12).all()
    assert bounds.bound(1, 1.0) > bounds.bound(1, 4.5)


def test_change_the_data_and_the_bound_moves(monkeypatch, bounds):
    spbe = datasets.load_spbe()
    faster = spbe.copy()
    rows = faster["year"] == 2024
    faster.loc[rows, "d4"] = (faster.loc[rows, "d4"] + 0.3).clip(upper=5.0)
    moved = gain_bounds(faster)
    before = bounds.table.set_index(["domain", "band"])["raw_bound"]
    after = moved.table.set_index(["domain", "band"])["raw_bound"]
    assert after.loc[(4, 1)] == pytest.approx(before.loc[(4, 1)] + 0.3, abs=0.011)
    assert after.loc[(1, 1)] == before.loc[(1, 1)]  # other domains unchanged
    # The default reads the bundled table: patch the loader and the default follows.
    monkeypatch.setattr(datasets, "load_spbe", lambda **_: faster)
    assert gain_bounds().bound(4, 2.5) == moved.bound(4, 2.5) > bounds.bound(4, 2.5)


def test_no_path_step_exceeds_the_bound(sample_plans, bounds):
    codes, tables = sample_plans
    paths = tables.paths
    assert len(paths) > 0
    for _, s in paths.iterrows():
        assert s["increase"] <= bounds.bound(int(s["domain"]), s["current"]) + 1e-9
        assert s["bound"] == pytest.approx(bounds.bound(int(s["domain"]), s["current"]))
        assert s["proposed"] <= 5.0
    # The index gain of every round is within the index bound at the round's start.
    for (code, goal), g in paths.groupby(["region_code", "goal"]):
        start = tables.summary.at[code, "recomputed_index"]
        for _, r in g.groupby("round", sort=True):
            after = float(r["index"].iloc[0])
            assert after - start <= bounds.index_bound(start) + 1e-9, (code, goal)
            start = after


def test_path_is_exact_and_starts_with_the_priority(bounds):
    p = feasible_path([3.70, 3.40, 3.00, 3.20], 3.5, bounds=bounds, first_year=2025)
    assert p.reached and p.n_rounds == 1 and p.new_index >= 3.5
    # Focus on D3 first: it rises first, as far as its bound allows.
    q = feasible_path([1.0, 1.0, 1.0, 1.0], 3.5, bounds=bounds, first_year=2025, priority=[3])
    assert q.first_domain == 3 and q.rounds[0].domains[0].increase == bounds.bound(3, 1.0)
    assert q.reached and q.n_rounds >= 3  # 2.5 index points cannot be walked in one year
    years = [r.year for r in q.rounds]
    assert years == list(range(2025, 2025 + q.n_rounds))
    # Caps keep working: a capped domain never passes its cap.
    c = feasible_path([1, 1, 1, 1], 2.0, bounds=bounds, first_year=2025, caps=[5, 5, 5, 1.5])
    assert all(d.proposed <= 1.5 for r in c.rounds for d in r.domains if d.domain == 4)


# --- one plan everywhere --------------------------------------------------------------------


@pytest.mark.slow
def test_every_region_the_sections_agree(all_plans):
    """Over every region with a 2024 result: the focus in the summary row is the benchmark's,
    the path starts there, and the partners are searched there and lead by the margin."""
    codes, t = all_plans
    assert len(codes) >= 480 and list(t.summary.index) == codes
    bench, summary, partners = t.benchmark, t.summary, t.partners
    for code in codes:
        row = summary.loc[code]
        b = bench[bench["region_code"] == code]
        focus = [int(x) for x in (row["focus_1"], row["focus_2"]) if not pd.isna(x)]
        assert focus == [int(d) for d in b.sort_values("focus_rank")["domain"][b["focus"]]]
        assert bool(b["focus"].any()) == bool(focus)
        if focus:
            # The focus is the clear gap with the largest realistic gain.
            clear = b[b["clear"]]
            assert int(clear.sort_values("realistic_gain").iloc[-1]["domain"]) == focus[0] or (
                clear["realistic_gain"].max()
                == clear.loc[clear["domain"] == focus[0], "realistic_gain"].iloc[0]
            )
            assert row["partners_status"] in {"ok", "none_found"}
            assert int(row["partners_domain"]) == focus[0]
            if int(row["n_rounds"]) > 0:
                assert int(row["first_domain"]) == focus[0]
        else:
            assert not b["clear"].any() or (b["realistic_gain"] == 0).all()
            assert row["partners_status"] == "no_focus"
    lead = partners["lead"] > partners["region_code"].map(summary["partners_min_lead"]) - 1e-9
    assert lead.all()
    assert (summary["partners_min_lead"].dropna() >= clear_lead_margin(1) - 1e-12).all()


def test_library_and_context_give_the_same_plan(sample_plans):
    codes, t = sample_plans
    rng = np.random.default_rng(11)
    for code in rng.choice(codes, size=12, replace=False):
        p = improvement_plan(code, group="all", target=3.5, year=YEAR)
        mine = t.paths[(t.paths["region_code"] == code) & (t.paths["goal"] == "target")]
        expected = p.path.table()
        assert mine.drop(columns=["region_code", "goal"]).reset_index(drop=True).equals(expected)
        assert (
            tuple(int(x) for x in t.summary.loc[code, ["focus_1"]].dropna())
            == (p.focus_domains[:1])
        )


@pytest.mark.parametrize("code", ["3210", "9418", "1102"])
def test_plan_command_gives_the_librarys_plan(capsys, code):
    assert main(["plan", "--region", code, "--target", "3.5", "--peers", "all", "--format",
                 "json"]) in (0, 1)  # fmt: skip
    doc = json.loads(capsys.readouterr().out)
    p = improvement_plan(code, group="all", target=3.5, year=YEAR, partners=False)
    assert doc["focus_domains"] == list(p.focus_domains)
    assert doc["rounds"] == [r.to_dict() for r in p.path.rounds]
    for r in doc["rounds"]:
        for d in r["domains"]:
            assert {"domain", "proposed"} <= set(d)
    assert main(["peers", code, "--group", "all", "--format", "json", "--draws", "50"]) == 0
    peers_doc = json.loads(capsys.readouterr().out)
    assert peers_doc["focus_domains"] == doc["focus_domains"]
    for partner in peers_doc["partners"]["partners"]:
        assert isinstance(partner["shared_context"], list)
        assert partner["distance"] is None or partner["distance"] >= 0


def test_plan_prints_one_current_index(capsys):
    main(["plan", "--region", "Sumedang", "--target", "next", "--lang", "en"])
    out = capsys.readouterr().out
    assert "index 4.51" in out and "Current index" not in out
    assert "recomputed" in out and "4.5041" in out  # named as such, not a second "current"
    assert "(None)" not in out


# --- partners -------------------------------------------------------------------------------


def test_margin_is_rounding_plus_the_trend_models_noise():
    assert clear_lead_margin(1) == pytest.approx(math.sqrt(2) * NOISE_PRIOR_SD)
    assert clear_lead_margin(4) == pytest.approx(0.01 + math.sqrt(2) * NOISE_PRIOR_SD)
    assert clear_lead_margin(4, noise_sd=0.0) == pytest.approx(0.01)


def test_region_without_grdp_has_no_similar_partner():
    # Kabupaten Tolikara (9418) has no GRDP per capita figure in the bundled outcomes.
    out = datasets.load_outcomes()
    grdp = out[out["indicator"] == "grdp_per_capita_thousand_idr"]
    assert "9418" not in set(grdp["region_code"])
    r = peers.study_partners("9418", domain=4, year=YEAR)
    assert r.status == "ok" and len(r.table)
    assert r.table["distance"].isna().all()
    assert (r.table["unknown_reason"] == "own_missing").all()
    assert any(n.key == "peers_note_similarity_unknown" for n in r.notes)
    doc = r.to_dict("en")
    assert all(p["distance"] is None for p in doc["partners"])
    assert all("grdp" not in p["shared_context"] for p in doc["partners"])


def test_every_partner_leads_by_more_than_the_margin():
    data = _csv_scores()[YEAR]
    for code in ["3210", "3204", "1102", "7101", "9418"]:
        for domain in (1, 2, 3, 4):
            r = peers.study_partners(code, domain=domain, year=YEAR)
            m = f"d{domain}"
            for c in r.table["region_code"]:
                assert data[c][m] - data[code][m] > clear_lead_margin(domain), (code, c)


def test_single_evaluation_shows_the_groups_experience(bounds):
    counts = datasets.load_spbe().groupby("region_code")["year"].nunique()
    once = [c for c in counts.index[counts == 1] if c in peers.data.scores(YEAR).index]
    assert once, "expected regions evaluated only in 2024"
    p = improvement_plan(once[0], group="all", partners=False)
    assert p.n_evaluations == 1 and p.experience is not None
    assert int(p.experience["n"]) > 0
    assert p.experience["lo"] <= p.published_index <= p.experience["hi"]


@pytest.mark.parametrize(
    "module",
    ["living_lab.improvement.feasibility", "living_lab.improvement.path",
     "living_lab.improvement.model", "living_lab.peers.partners"],
)  # fmt: skip
def test_docstring_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.slow  # full tier: renders every West Java report section (about 3 s)
def test_rendered_reports_name_one_focus_everywhere(west_java_context):
    """Every West Java report: the summary, the domain section (figure label, path) and the
    learning section (benchmark, partners) name the same focus, the plan's."""
    import re

    from living_lab.report import sections

    ctx = west_java_context
    assert (ctx.year, ctx.target) == (YEAR, 3.5)
    names = sections.domain_names("en")
    for code in ctx.table.index[ctx.table["index"].notna()]:
        report = sections.RegionReport.of(ctx, code, "en")
        p = improvement_plan(code, group=ctx.lever_group, target=3.5, year=YEAR, partners=False)
        assert report.focus_domains == p.focus_domains
        summary = "".join(x.data for x in report.summary()[1:2])
        domains = "".join(x.data for x in report.domains() if hasattr(x, "data") and
                          isinstance(x.data, str))  # fmt: skip
        learning = "".join(x.data for x in report.learning())
        if p.focus_domains:
            named = " and ".join(names[d - 1] for d in p.focus_domains)
            for html in (summary, domains, learning):
                assert f"Focus for improvement: <b>{named}</b>" in html, code
            assert f"Focus domain: <b>{names[p.focus_domains[0] - 1]}</b>" in learning
            if p.path.rounds:
                row = r'<td class="nw">1 \(\d{4}\)</td><td class="">(.*?)</td>'
                first = re.search(row, domains)
                assert re.sub("<[^>]+>", "", first.group(1)) == names[p.focus_domains[0] - 1]
                assert f"{names[p.path.first_domain - 1]} moves first" in domains
        else:
            for html in (summary, domains, learning):
                assert "No domain stands out" in html, code
