"""User-supplied SPBE files: good ones merge in, bad ones are refused with one line naming file, line and field."""

from __future__ import annotations

import pytest

from living_lab import build, datasets, paths
from living_lab.errors import InputError

GOOD = "region,year,d1,d2,d3,d4,index\nKab. Sumedang,2025,5.00,4.40,4.00,4.70,4.55\nKota Bandung,2025,,,,,3.90\n"


def _write(tmp_path, text, name="spbe_2025.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_good_file_adds_a_new_year(tmp_path):
    path = _write(tmp_path, GOOD)
    spbe = datasets.load_spbe(extra=[path])
    new = spbe[spbe["year"] == 2025].set_index("region_code")
    assert new.loc["3211", "index"] == 4.55 and new.loc["3211", "predicate"] == "Memuaskan"
    assert (
        new.loc["3273", "predicate"] == "Sangat Baik"
        and new.loc["3273", "source"] == "spbe_2025.csv"
    )
    assert len(spbe) == len(datasets.load_spbe()) + 2


def test_semicolon_and_bom_are_accepted(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace(",", ";").encode())
    assert len(datasets.read_spbe_file(path)) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "region,year,idx\nSumedang,2025,4.0\n",
            r"line 1: missing required column\(s\) \['index'\]",
        ),
        (
            "region,year,index\nSumedang,2025,empat\n",
            r"line 2, field 'index': 'empat' is not a number",
        ),
        (
            "region,year,index\nSumedang,2025,4.0\n3211,2025,4.1\n",
            r"line 3: duplicate key \(region_code=3211, year=2025\)",
        ),
        (
            "region,year,index\nSumedang,2025,4.0\nAtlantis,2025,3.0\n",
            r"line 3, field 'region': unknown region 'Atlantis'",
        ),
        (
            "region,year,index\nSumedang,2025,5.5\n",
            r"line 2, field 'index': 5.5 is out of range; expected 1 to 5",
        ),
        (
            "region,year,index\nSumedang,2025.5,4.0\n",
            r"line 2, field 'year': '2025.5' is not a whole number",
        ),
        (
            "region,year,d1,d2,d3,d4,index\nSumedang,2025,5,4,4,4.7,3.0\n",
            r"line 2, field 'index': index 3.0 disagrees with its domains",
        ),
        ("region,year,index,predicate\nSumedang,2025,4.0,Memuaskan\n", r"field 'predicate'"),
        ("region,year,index\nSumedang,2025\n", r"line 2: has 2 fields; expected 3"),
        ("", r"file is empty"),
        ("region,year,index\n", r"no data rows"),
    ],
)
def test_bad_files_are_refused_with_one_line(tmp_path, text, expected):
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=expected) as err:
        datasets.read_spbe_file(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message


def test_latin1_file_is_refused_with_the_line(tmp_path):
    path = _write(
        tmp_path,
        "region,year,index\nSumedang,2025,4.0\nKota Banda Aceh ñ,2025,3.0\n",
        encoding="latin-1",
    )
    with pytest.raises(InputError, match=r"line 3: not UTF-8 text"):
        datasets.read_spbe_file(path)


def test_missing_file():
    with pytest.raises(InputError, match="file not found"):
        datasets.read_spbe_file(paths.ROOT / "no-such-file.csv")


def test_failed_build_leaves_existing_tables_untouched(tmp_path, monkeypatch, shared_data):
    build.build_all(out_dir=tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.glob("*.csv")}

    def broken() -> None:
        raise InputError("simulated failure in a later step")

    monkeypatch.setitem(build.BUILDERS, "outcomes", broken)
    with pytest.raises(InputError):
        build.build_all(out_dir=tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.glob("*.csv")}
    assert after == before
    assert not list(tmp_path.glob(".*")), "no temporary files left behind"
