"""Consistency audit of the published results (KemenPANRB 2023 and 2024 reports, bundled in data/).

Known facts checked here (see data/spbe_index.meta.yml and the reports in shared/data/spbe/sources):
* no published row has an index inconsistent with its domains;
* Kab. Banyuasin 2023 prints D4 = 0.30, below the 1-5 scale;
* the 2024 predicates of Kab. Nias Barat (1.80 Kurang), Kab. Pacitan (3.50 Baik) and Kab. Luwu
  (2.60 Cukup) are judged on the unrounded index; the 2023 predicates of Kab. Nias Barat
  (1.80 Cukup) and Kab. Boven Digoel (1.80 Cukup) on the printed one;
* three 2024 central/provincial rows have no D1.
"""

from __future__ import annotations

import pandas as pd
import pytest

from living_lab.audit import audit_published, audit_results, domain_values
from living_lab.errors import ParameterError


@pytest.fixture(scope="module")
def audit():
    return audit_published(lang="en")


def test_no_published_row_is_an_error(audit):
    assert (audit.findings["severity"] != "error").all()
    assert audit.summary["error"].sum() == 0
    kab = audit.summary[audit.summary["table"] == "kabkota"].set_index("year")
    assert kab.loc[2023, "rows"] == 491 and kab.loc[2024, "rows"] == 485
    assert kab.loc[2023, "index_checked"] == 491 and kab.loc[2024, "index_checked"] == 485


def test_threshold_rows_are_informational_with_their_reason(audit):
    pred = audit.findings[audit.findings["check"] == "predicate"]
    assert (pred["severity"] == "info").all()
    got = {(r.region_code, r.year): r.detail for r in pred.itertuples()}
    assert set(got) == {
        ("1225", 2024),
        ("3501", 2024),
        ("7317", 2024),
        ("1225", 2023),
        ("9413", 2023),
    }
    for key in [("1225", 2024), ("3501", 2024), ("7317", 2024)]:
        assert "judged on the unrounded index" in got[key]
    assert "3.4985" in got[("3501", 2024)]
    for key in [("1225", 2023), ("9413", 2023)]:
        assert "judged on the printed index 1.80" in got[key]


def test_banyuasin_domain_below_the_scale_is_a_warning(audit):
    warn = audit.findings[audit.findings["severity"] == "warning"]
    assert len(warn) == 1
    row = warn.iloc[0]
    assert (row["region_code"], row["year"], row["check"]) == ("1607", 2023, "domain")
    assert "D4 = 0.30" in row["detail"]


def test_rows_without_every_domain_are_reported_not_checked(audit):
    inst = audit.findings[
        (audit.findings["table"] == "instansi") & (audit.findings["check"] == "index")
    ]
    assert sorted(inst["name"]) == [
        "Kementerian Energi dan Sumber Daya Mineral",
        "Kementerian Pertanian",
        "Pemerintah Provinsi Jawa Timur",
    ]
    assert (inst["severity"] == "info").all()


def test_year_filter_and_unknown_year():
    res = audit_published(year=2024, tables=("kabkota",))
    assert set(res.rows["year"]) == {2024} and len(res.rows) == 485
    with pytest.raises(ParameterError, match="year: 2019"):
        audit_published(year=2019)


def test_domain_values_follow_from_the_weights():
    d1 = domain_values("permenpanrb-59-2020", 1)  # 10 equal weights: steps of 0.1
    assert len(d1) == 41 and d1[0] == 1 and d1[-1] == 5
    assert d1[1] == pytest.approx(1.1)
    d3 = domain_values("permenpanrb-59-2020", 3)  # 11 equal weights: k / 11
    assert d3 == pytest.approx([k / 11 for k in range(11, 56)])
    d4 = domain_values("permenpanrb-59-2020", 4)  # (2.75 a + 3 b) / 45.5 = (11 a + 12 b) / 182
    expected = sorted({(11 * a + 12 * b) / 182 for a in range(10, 51) for b in range(6, 31)})
    assert d4 == pytest.approx(expected)


def test_inconsistent_rows_are_errors():
    df = pd.DataFrame(
        {
            "name": ["ok", "bad index", "bad predicate"],
            "year": [2024, 2024, 2024],
            "d1": [3.7, 3.7, 3.7],
            "d2": [3.4, 3.4, 3.4],
            "d3": [3.0, 3.0, 3.0],
            "d4": [3.2, 3.2, 3.2],
            "index": [3.28, 3.31, 3.28],
            "predicate": ["Baik", "Baik", "Cukup"],
        }
    )
    # The worked example's D4 of 3.20 is not attainable from levels (nearest 3.1978 / 3.2033
    # print as 3.20 too), so the attainable values behind the printed domains are used.
    res = audit_results(df, lang="en")
    status = res.rows.set_index("name")
    assert status.loc["ok", ["index_status", "predicate_status"]].tolist() == ["ok", "ok"]
    assert status.loc["bad index", "index_status"] == "error"
    assert status.loc["bad predicate", "predicate_status"] == "error"
    errors = res.findings[res.findings["severity"] == "error"]
    assert set(errors["check"]) == {"index", "predicate"}
