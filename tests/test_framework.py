"""Framework files: every one loads, weights add up, the structure is a tree, and the bundled
PermenPANRB 59/2020 file matches the shared transcription of the regulation's Lampiran."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import require

from living_lab import paths
from living_lab.errors import InputError
from living_lab.framework import available_frameworks, load_framework, parse_framework
from living_lab.scoring import round_half_up, score_domains, score_levels

FRAMEWORKS = available_frameworks()
#: Shared transcription of Lampiran PermenPANRB 59/2020, Tabel 3-9 (see shared/data/README.md).
INDICATOR_CSV = Path("spbe") / "permenpanrb_59_2020_indicators.csv"


def test_there_is_a_framework_file():
    assert "permenpanrb-59-2020" in FRAMEWORKS


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_weights_sum_to_100_at_every_level(framework_id):
    fw = load_framework(framework_id)
    assert sum(d.weight_pct for d in fw.domains) == pytest.approx(100)
    assert sum(i.weight_pct for i in fw.indicators) == pytest.approx(100)
    for d in fw.domains:
        assert sum(a.weight_pct for a in d.aspects) == pytest.approx(d.weight_pct)
        for a in d.aspects:
            assert sum(i.weight_pct for i in a.indicators) == pytest.approx(a.weight_pct)
    assert fw.domain_weights.sum() == pytest.approx(1)


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_every_indicator_in_exactly_one_aspect(framework_id):
    fw = load_framework(framework_id)
    memberships = Counter(i.number for a in fw.aspects for i in a.indicators)
    assert set(memberships.values()) == {1}
    assert sorted(memberships) == list(range(1, len(memberships) + 1))
    for a in fw.aspects:
        assert all(i.aspect == a.number and i.domain == a.domain for i in a.indicators)
    assert Counter(a.number for a in fw.aspects).most_common(1)[0][1] == 1


@pytest.mark.parametrize("framework_id", FRAMEWORKS)
def test_predicate_bands_cover_the_scale_in_order(framework_id):
    fw = load_framework(framework_id)
    assert fw.predicates[0].min == fw.scale_min
    for lower, upper in zip(fw.predicates, fw.predicates[1:], strict=False):
        assert lower.max_exclusive == upper.min
    assert fw.predicates[-1].max_exclusive is None
    for cap in {i.capability for i in fw.indicators}:
        assert sorted(fw.level_names[cap]) == list(range(int(fw.scale_min), int(fw.scale_max) + 1))


@pytest.mark.parametrize(
    "framework_id", [f for f in FRAMEWORKS if load_framework(f).worked_example]
)
def test_worked_example_of_the_file_is_reproduced(framework_id):
    # Pemdi's sources give no worked example; tests/test_pemdi.py computes one by hand.
    fw = load_framework(framework_id)
    ex = fw.worked_example
    assert round_half_up(score_domains(ex["domains"], framework=fw)) == ex["index"]


def test_permenpanrb_structure_as_published():
    # Lampiran PermenPANRB 59/2020, Tabel 3-6: 4 domains, 8 aspects, 47 indicators;
    # domain weights 13 / 25 / 16.5 / 45.5 percent; Tabel 13 predicate bands.
    fw = load_framework("permenpanrb-59-2020")
    assert (len(fw.domains), len(fw.aspects), len(fw.indicators)) == (4, 8, 47)
    assert [d.weight_pct for d in fw.domains] == [13.0, 25.0, 16.5, 45.5]
    assert [(p.name, p.min) for p in fw.predicates] == [
        ("Kurang", 1.0),
        ("Cukup", 1.8),
        ("Baik", 2.6),
        ("Sangat Baik", 3.5),
        ("Memuaskan", 4.2),
    ]


def test_yaml_matches_shared_transcription():
    csv = paths.shared_data() / INDICATOR_CSV
    require(csv.exists(), f"shared transcription not found at {csv} (set LIVING_LAB_SHARED)")
    src = pd.read_csv(csv)
    table = load_framework("permenpanrb-59-2020").indicator_table().set_index("indicator")
    src = src.set_index("indikator_no").loc[table.index]
    assert len(src) == len(table) == 47
    assert (src["indikator_nama"] == table["indicator_name"]).all()
    assert (src["aspek_no"] == table["aspect"]).all()
    assert (src["aspek_nama"] == table["aspect_name"]).all()
    assert (src["domain_no"] == table["domain"]).all()
    assert (src["domain_nama"] == table["domain_name"]).all()
    assert (src["bobot_indikator_pct"] == table["weight_pct"]).all()
    assert (src["bobot_aspek_pct"] == table["aspect_weight_pct"]).all()
    assert (src["bobot_domain_pct"] == table["domain_weight_pct"]).all()
    capability = src["jenis_kapabilitas"].map({"proses": "process", "layanan": "service"})
    assert (capability == table["capability"]).all()


def _variant(tmp_path: Path, edit) -> Path:
    raw = yaml.safe_load((paths.FRAMEWORKS / "permenpanrb-59-2020.yaml").read_text("utf-8"))
    edit(raw)
    path = tmp_path / f"{raw['id']}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_second_framework_is_just_another_file(tmp_path):
    # A made-up variant (domains 1 and 4 swap weights, indicator weights scaled to match):
    # loaded and scored by the same code, no change needed.
    def edit(raw):
        raw["id"] = "variant-test"
        d1, d4 = raw["domains"][0], raw["domains"][3]
        for d, new in ((d1, 45.5), (d4, 13.0)):
            scale = new / d["weight_pct"]
            d["weight_pct"] = new
            for a in d["aspects"]:
                a["weight_pct"] = round(a["weight_pct"] * scale, 10)
                for i in a["indicators"]:
                    i["weight_pct"] = round(i["weight_pct"] * scale, 10)

    fw = parse_framework(_variant(tmp_path, edit))
    assert fw.domain_weights.round(3).tolist() == [0.455, 0.25, 0.165, 0.13]
    levels = {i.number: (5 if i.domain == 1 else 1) for i in fw.indicators}
    assert score_levels(levels, framework=fw).index == pytest.approx(1 + 4 * 0.455)


def test_weights_that_do_not_add_up_are_refused(tmp_path):
    def edit(raw):
        raw["id"] = "broken-test"
        raw["domains"][1]["aspects"][0]["indicators"][0]["weight_pct"] = 3.0

    with pytest.raises(InputError, match="indicators of aspect 2 sum to 10.5, expected 10"):
        parse_framework(_variant(tmp_path, edit))
