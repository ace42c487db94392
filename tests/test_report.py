"""Charts and the HTML report: files are produced, images decode at the expected size, figures are in."""

import base64
import io
import re
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("matplotlib_fontja")
from PIL import Image  # noqa: E402  (matplotlib depends on pillow)

from techdomain.cli import main  # noqa: E402

from .conftest import TINY_LABELS, TINY_TEXTS  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def test_summary_png(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("abstract\n" + "\n".join(TINY_TEXTS) + "\n", encoding="utf-8")
    png = tmp_path / "summary.png"
    assert main(["classify", str(src), "-o", str(tmp_path / "o.csv"), "--quiet", "--summary", str(png)]) == 0
    with Image.open(png) as im:
        assert im.format == "PNG" and im.size == (1000, 600)


def test_html_report(tmp_path):
    import csv

    src = tmp_path / "l.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["text", "label"], *zip(TINY_TEXTS, TINY_LABELS)])
    out = tmp_path / "report.html"
    assert main(["evaluate", str(src), "--report", str(out)]) == 0
    doc = out.read_text(encoding="utf-8")
    assert "top-1" in doc and "macro-F1" in doc and "ECE" in doc and "量子" in doc
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', doc)
    sizes = []
    for b64 in images:
        with Image.open(io.BytesIO(base64.b64decode(b64))) as im:
            im.load()
            sizes.append(im.size)
    assert sizes == [(1100, 450), (900, 800), (550, 500)]
    assert "http" not in doc.split("<body>")[1].replace("http://", "")  # self-contained: nothing fetched
    assert "bootstrap interval" not in doc
    assert main(["evaluate", str(src), "--report", str(out), "--intervals", "100"]) == 0
    doc = out.read_text(encoding="utf-8")
    assert re.search(r"<td>[\d.]+ \[[\d.]+, [\d.]+\]</td>", doc) and "bootstrap interval" in doc


def test_japanese_glyphs_render_without_tofu():
    import matplotlib
    from matplotlib.font_manager import FontProperties, findfont

    import techdomain.report as report

    report._pyplot()
    path = findfont(FontProperties(family=matplotlib.rcParams["font.family"]), fallback_to_default=False)
    from matplotlib.ft2font import FT2Font

    font = FT2Font(path)
    charmap = font.get_charmap()
    assert all(ord(c) in charmap for c in "造船量子半導体・通信バイオ強靱化該当なし")


@pytest.mark.slow
def test_quickstart_notebook_runs(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(REPO / "notebooks" / "quickstart.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPO / "notebooks")}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 3
