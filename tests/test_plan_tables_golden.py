"""The cohort-wide plan tables are exactly those of the implementation before it was sped up.

``tests/fixtures/plan_golden/digests.json`` holds SHA-256 digests of the tables that
:func:`living_lab.improvement.plan_tables` returned at commit 9f84967 (per-region pandas
lookups, before the frontier, partner and path tables were computed from shared arrays) for
three cases: the Jawa Barat cohort (2024, target 3.5), every seventh 2024 region in its province
(target "next") and every fifth 2023 region among all (target 4.0). A digest covers column
names, dtypes, shape, every value bit for bit (``pandas.util.hash_pandas_object``) with the
index, and ``attrs``; so any change of a number, a type or an order fails. The partner notes are
left out of the summary digest: they are locale texts, whose wording may change without the
plan changing.

A deliberate change of the model's results must regenerate the digests (compute
:func:`digests` for each case and write the file) and say why in its commit.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from living_lab.improvement import plan_tables
from living_lab.improvement.tables import PlanTables
from living_lab.peers import data

GOLDEN = Path(__file__).parent / "fixtures" / "plan_golden" / "digests.json"
TABLES = ("summary", "benchmark", "paths", "partners", "bounds")
#: Locale texts, not results (see the module docstring).
TEXT_COLUMNS = ("partners_notes_id", "partners_notes_en")


def _codes(case: str) -> list[str]:
    if case == "jawa-barat":
        sc = data.scores(2024)
        return [c for c in sc.index[sc["index"].notna()] if c.startswith("32")]
    if case == "province-2024":
        sc = data.scores(2024)
        return list(sc.index[sc["index"].notna()])[::7]
    sc = data.scores(2023)
    return list(sc.index[sc["index"].notna()])[::5]


#: Case name -> (group, year, target).
CASES = {
    "jawa-barat": ("cohort:jawa-barat", 2024, 3.5),
    "province-2024": ("province", 2024, "next"),
    "all-2023": ("all", 2023, 4.0),
}


def digest(df: pd.DataFrame) -> str:
    """SHA-256 of a table's columns, dtypes, shape, values (bit for bit, with the index), attrs."""
    h = hashlib.sha256()
    h.update(repr((list(df.columns), [str(t) for t in df.dtypes], df.shape)).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    h.update(repr(sorted(df.attrs.items())).encode())
    return h.hexdigest()


def digests(t: PlanTables) -> dict[str, str]:
    """The digest of each table of ``t`` (the summary without its locale texts)."""
    out = {}
    for name in TABLES:
        df = getattr(t, name)
        if name == "summary":
            df = df.drop(columns=list(TEXT_COLUMNS))
        out[name] = digest(df)
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_plan_tables_equal_the_reference_implementation(case: str) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))[case]
    group, year, target = CASES[case]
    codes = _codes(case)
    assert len(codes) >= 20
    t = plan_tables(codes, group=group, year=year, target=target)
    assert list(t.summary.index) == codes
    assert digests(t) == golden


def test_digest_sees_a_change_in_the_last_bit() -> None:
    df = pd.DataFrame({"a": [0.1, 0.2], "b": ["x", "y"]})
    changed = df.copy()
    changed.loc[1, "a"] = 0.2 + 2**-55  # the next float above 0.2
    assert changed.loc[1, "a"] != 0.2
    assert digest(df) != digest(changed)
    assert digest(df) == digest(df.copy())
    assert digest(df) != digest(df.astype({"a": "float32"}))
