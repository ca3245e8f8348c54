"""A reviewer's view: the index page and a region report opened in headless Chromium.

The report is a real papermill run of ``notebooks/region_report.ipynb`` rendered with
:func:`living_lab.report.render.render_html`; the index is written by
:func:`living_lab.report.index_page.write_index`. Chromium (Debian's package, installed by
``.ci/run``) loads them from ``file://`` with networking disabled, and the test checks that the
page renders, every link resolves to a file in the folder, every image is an embedded PNG that
decodes, and the table sorts.
"""

from __future__ import annotations

import base64
import csv
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import nbformat
import numpy as np
import papermill as pm
import pytest
from conftest import require

from living_lab import paths
from living_lab.report import index_page, render

pytestmark = [pytest.mark.browser, pytest.mark.kernel]

from _chromium import CHROMIUM, FLAGS  # noqa: E402

# Appended to a copy of a page: after load, record what the browser made of it in the DOM.
PROBE = """
<script>
window.addEventListener("load", function () {
  var imgs = Array.prototype.slice.call(document.images);
  document.body.setAttribute("data-images", imgs.length);
  document.body.setAttribute("data-images-ok",
    imgs.filter(function (i) { return i.complete && i.naturalWidth > 100; }).length);
  var th = document.querySelectorAll("#regions th button");
  if (th.length) {
    th[3].click();  // index column: ascending
    var first = document.querySelector("#regions tbody tr td").textContent.trim();
    th[3].click();  // descending
    var top = document.querySelector("#regions tbody tr td").textContent.trim();
    document.body.setAttribute("data-sorted-asc-first", first);
    document.body.setAttribute("data-sorted-desc-first", top);
    var filter = document.getElementById("filter");
    filter.value = "sumedang";
    filter.dispatchEvent(new Event("input"));
    var shown = Array.prototype.filter.call(
      document.querySelectorAll("#regions tbody tr"), function (r) { return !r.hidden; });
    document.body.setAttribute("data-filtered", shown.length);
    filter.value = "";
    filter.dispatchEvent(new Event("input"));
  }
});
</script>
"""


def _chromium(args: list[str], tmp: Path) -> str:
    profile = tmp / "chromium-profile"
    proc = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _dump(page: Path, tmp: Path) -> str:
    return _chromium(["--virtual-time-budget=5000", "--dump-dom", page.as_uri()], tmp)


def _screenshot(page: Path, png: Path, tmp: Path, height: int) -> np.ndarray:
    _chromium([f"--window-size=1280,{height}", f"--screenshot={png}", page.as_uri()], tmp)
    return mpimg.imread(png)


def _probe_copy(page: Path) -> Path:
    copy = page.with_name(f"_probe_{page.name}")
    copy.write_text(
        page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    return copy


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.imgs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "img":
            self.imgs.append(a.get("src", ""))


def _urls(dom: str) -> _Urls:
    p = _Urls()
    p.feed(dom)
    return p


def _lowest_and_highest_west_java_2024() -> tuple[str, str]:
    with paths.dataset("spbe_index").open(encoding="utf-8") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["region_code"].startswith("32") and r["year"] == "2024"
        ]
    lo = min(rows, key=lambda r: float(r["index"]))["region_code"]
    hi = max(rows, key=lambda r: float(r["index"]))["region_code"]
    return lo, hi


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    require(
        CHROMIUM is not None,
        "chromium not installed (/usr/bin/chromium absent; .ci/run installs Debian's chromium)",
    )
    out = tmp_path_factory.mktemp("reports")
    (out / "regions").mkdir()
    executed = out / "regions" / "3211.ipynb"
    pm.execute_notebook(
        str(paths.NOTEBOOKS / "region_report.ipynb"),
        str(executed),
        parameters={"region": "3211"},
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(executed, as_version=4)
    (out / "regions" / "3211.html").write_text(
        render.render_html(nb, title="Laporan SPBE: Kabupaten Sumedang"), encoding="utf-8"
    )
    from living_lab.cohorts import load_cohort

    regions = {code: {"status": "skipped"} for code in load_cohort("jawa-barat").regions}
    regions["3211"] = {"status": "ok", "html": "regions/3211.html"}
    regions["3273"] = {"status": "failed", "error": 'KernelDied: <script>alert(1)</script> "x"'}
    manifest = {
        "cohort": "jawa-barat",
        "cohort_title": "Kabupaten/kota di Jawa Barat",
        "year": 2024,
        "lang": "id",
        "target": 3.5,
        "target_year": 2025,
        "regions": regions,
    }
    index_page.write_index(manifest, out)
    return out


def test_index_renders_links_resolve_and_sorts(folder, tmp_path):
    dom = _dump(_probe_copy(folder / "index.html"), tmp_path)
    assert "Laporan SPBE per kabupaten/kota" in dom
    rows = re.findall(r"<tr class=\"(ok|failed|skipped)\"", dom)
    assert len(rows) == 27
    hrefs = _urls(dom).hrefs
    assert hrefs, "no link on the index page"
    for href in hrefs:
        assert not re.match(r"(?i)^[a-z]+:", href), href
        assert (folder / href).resolve().is_file(), f"broken link {href}"
    assert "regions/3211.html" in hrefs
    assert "<script>alert(1)" not in dom and "&lt;script&gt;alert(1)" in dom  # error escaped
    lo, hi = _lowest_and_highest_west_java_2024()
    from living_lab.regions import region_name

    assert f'data-sorted-asc-first="{region_name(lo)}"' in dom  # Kabupaten Majalengka
    assert f'data-sorted-desc-first="{region_name(hi)}"' in dom  # Kota Bandung
    assert 'data-filtered="1"' in dom  # the search box keeps only Sumedang
    shot = _screenshot(folder / "index.html", tmp_path / "index.png", tmp_path, 1400)
    assert shot.std() > 0.05  # not a blank page


def test_report_renders_with_embedded_images(folder, tmp_path):
    page = folder / "regions" / "3211.html"
    dom = _dump(_probe_copy(page), tmp_path)
    assert "Laporan SPBE: Kabupaten Sumedang" in dom and "4,51" in dom
    imgs = _urls(dom).imgs
    assert len(imgs) == 5  # trajectory, locator map, domains, outcomes, relation
    for src in imgs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(b"\x89PNG")
    assert 'data-images="5"' in dom and 'data-images-ok="5"' in dom  # the browser decoded them
    for href in _urls(dom).hrefs:
        assert href.startswith("#"), f"report links outside itself: {href}"
    shot = _screenshot(page, tmp_path / "report.png", tmp_path, 2400)
    assert shot.shape[1] == 1280 and shot.std() > 0.05


# Appended to a copy of the index page: find a point inside Sumedang on the map, ask the browser
# which element is on top there (the real hit test: outlines must not catch the click) and click
# it. The dumped DOM is then the page the click opened.
CLICK_PROBE = """
<script>
window.addEventListener("load", function () {
  var shape = document.querySelector('svg.ll-map a[data-code="3211"] path');
  if (!shape) { document.title = "no linked shape"; return; }
  shape.scrollIntoView({block: "center"});
  var box = shape.getBBox(), m = shape.getScreenCTM(), svg = shape.ownerSVGElement;
  for (var i = 1; i < 20; i++) {
    for (var j = 1; j < 20; j++) {
      var p = svg.createSVGPoint();
      p.x = box.x + box.width * i / 20; p.y = box.y + box.height * j / 20;
      if (!shape.isPointInFill(p)) continue;
      var c = p.matrixTransform(m);
      var hit = document.elementFromPoint(c.x, c.y);
      if (hit !== shape) continue;
      hit.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window,
                                                 clientX: c.x, clientY: c.y}));
      return;
    }
  }
  document.title = "no clickable point";
});
</script>
"""


def test_clicking_a_region_on_the_index_map_opens_its_report(folder, tmp_path):
    page = folder / "index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 1  # inline, no tiles
    assert "geoBoundaries IDN ADM2" in html and "CC BY 3.0 IGO" in html  # source and licence
    # Only the report that exists is linked; the failed and skipped regions are shapes only.
    assert re.findall(r'<a href="([^"]+)" data-code="(\d{4})"', html) == [
        ("regions/3211.html", "3211")
    ]
    assert html.count('data-code="3273"') == 1  # failed: drawn, not linked
    probe = page.with_name("_click_index.html")
    probe.write_text(html.replace("</body>", CLICK_PROBE + "</body>"), encoding="utf-8")
    dom = _chromium(
        ["--window-size=1280,1400", "--virtual-time-budget=8000", "--dump-dom", probe.as_uri()],
        tmp_path,
    )
    assert "Laporan SPBE: Kabupaten Sumedang" in dom, dom[:500]
    assert "Laporan SPBE per kabupaten/kota" not in dom  # we left the index page
