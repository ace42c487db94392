"""Charts for people: an HTML accuracy report and a portfolio bar chart (needs the ``report`` extra).

Japanese domain names are drawn with the IPAex Gothic font that ``matplotlib-fontja`` ships, so no
system font is needed and no glyph turns into a box.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .evaluate import expected_calibration_error, figure_text
from .taxonomy import DOMAINS, NONE, NATIONAL_STRATEGIC

TIER_COLOURS = {NATIONAL_STRATEGIC: "#c0392b", "emerging_foundational": "#2e86c1", "none": "#999999"}
TIER_NAMES = {NATIONAL_STRATEGIC: "国家戦略技術領域 (national strategic)", "emerging_foundational": "新興・基盤技術領域 (emerging/foundational)"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja  # noqa: F401  (registers IPAex Gothic and makes it the default family)

    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    _pyplot().close(fig)
    return buf.getvalue()


def summary_chart(counts: Mapping[int, int], title: str = "分野別の件数") -> bytes:
    """PNG bytes (1000x600): rows per domain, national strategic and emerging/foundational coloured apart."""
    plt = _pyplot()
    order = sorted(DOMAINS, key=lambda d: (d.tier != NATIONAL_STRATEGIC, d.id))
    labels = [f"{d.id} {d.name_ja.split('（')[0]}" for d in order] + [f"0 {NONE.name_ja}"]
    values = [counts.get(d.id, 0) for d in order] + [counts.get(0, 0)]
    colours = [TIER_COLOURS[d.tier] for d in order] + [TIER_COLOURS["none"]]
    fig, ax = plt.subplots(figsize=(10, 6))
    bars = ax.barh(labels[::-1], values[::-1], color=colours[::-1])
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.set_xlabel("件数 (rows)")
    ax.set_title(title)
    from matplotlib.patches import Patch

    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts of rows: no 0.2 ticks
    ax.set_xlim(0, max(values + [1]) * 1.08)  # room for the bar labels
    ax.legend(handles=[Patch(color=TIER_COLOURS[t], label=n) for t, n in TIER_NAMES.items()],
              loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8, frameon=False)
    fig.tight_layout()
    return _png(fig)


def write_summary(counts: Mapping[int, int], path: str | Path) -> None:
    Path(path).write_bytes(summary_chart(counts))


def per_domain_chart(r: dict) -> bytes:
    """PNG bytes (1100x450): precision, recall and F1 per domain, from an evaluate() result."""
    plt = _pyplot()
    ids = [d.id for d in DOMAINS]
    x = np.arange(len(ids))
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for k, (name, colour) in enumerate([("precision", "#5dade2"), ("recall", "#f5b041"), ("f1", "#58d68d")]):
        ax.bar(x + (k - 1) * 0.27, [r["per_domain"][i][name] for i in ids], width=0.27, label=name, color=colour)
    ax.set_xticks(x, [f"{d.id} {d.name_ja.split('（')[0].split('・')[0]}" for d in DOMAINS], fontsize=8, rotation=40, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("分野別 precision / recall / F1")
    ax.legend(fontsize=8, ncol=3, loc="lower right")
    fig.tight_layout()
    return _png(fig)


def confusion_chart(r: dict) -> bytes:
    """PNG bytes (900x800): the confusion matrix of an evaluate() result, Japanese domain names on the axes."""
    plt = _pyplot()
    m = np.array(r["confusion"])
    names = [f"0 {NONE.name_ja}"] + [f"{d.id} {d.name_ja.split('（')[0][:8]}" for d in DOMAINS]
    fig, ax = plt.subplots(figsize=(9, 8))
    ax.imshow(m, cmap="Blues")
    for i in range(17):
        for j in range(17):
            if m[i, j]:
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7, color="white" if m[i, j] > m.max() / 2 else "black")
    ax.set_xticks(range(17), names, rotation=90, fontsize=7)
    ax.set_yticks(range(17), names, fontsize=7)
    ax.set_xlabel("予測 (predicted)")
    ax.set_ylabel("正解 (true)")
    ax.set_title("混同行列 (confusion matrix)")
    fig.tight_layout()
    return _png(fig)


def reliability_chart(r: dict, bins: int = 10) -> bytes:
    """PNG bytes (550x500): accuracy against confidence per bin, from an evaluate() result."""
    plt = _pyplot()
    conf = np.asarray(r["confidence"], dtype=float)
    correct = np.asarray(r["correct"], dtype=float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(conf, edges[1:-1], right=True), 0, bins - 1)
    centres, accs, sizes = [], [], []
    for b in range(bins):
        sel = which == b
        if sel.any():
            centres.append(conf[sel].mean())
            accs.append(correct[sel].mean())
            sizes.append(int(sel.sum()))
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], "--", color="grey", label="perfect calibration")
    ax.scatter(centres, accs, s=[20 + 3 * n for n in sizes], color="#c0392b", label="bins (size = items)")
    ax.plot(centres, accs, color="#c0392b")
    ax.set_xlabel("confidence")
    ax.set_ylabel("accuracy")
    ax.set_title(f"信頼度の較正 (reliability), ECE = {expected_calibration_error(conf, correct):.3f}")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    return _png(fig)


def _font_face(text: str) -> str:
    """An @font-face rule embedding IPAex Gothic cut down to the characters of ``text``.

    Browsers on machines without a Japanese font would otherwise draw boxes; the full font is 6 MB,
    the subset a few tens of kB. fontTools comes with matplotlib.
    """
    from fontTools import subset

    import matplotlib_fontja

    path = Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"
    options = subset.Options()
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, options)
    data = base64.b64encode(buf.getvalue()).decode()
    return f"@font-face{{font-family:'IPAexGothic';src:url(data:font/ttf;base64,{data}) format('truetype')}}"


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


# The summary table's columns after the subset and n, in order.
_TABLE = ("top1", "top1_labelled", "top3", "macro_f1", "worst_domain_top1", "none_abstained", "wrongly_abstained", "ece")


def write_report(results: dict[str, dict[str, Any]], path: str | Path, source: str = "", model: str = "") -> None:
    """One self-contained HTML file (images inlined) of :func:`techdomain.evaluate.evaluate` results."""
    first = next(iter(results.values()))
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{r['n']}</td>"
        + "".join(f"<td>{figure_text(r, k)}</td>" for k in _TABLE) + "</tr>"
        for name, r in results.items()
    )
    note = ("<p>[ ]: 95% bootstrap interval over the items (<code>--intervals</code>)</p>"
            if any("intervals" in r for r in results.values()) else "")
    per = "".join(
        f"<tr><td>{d.id}</td><td class=name>{html.escape(d.name_ja)}</td><td>{first['per_domain'][d.id]['precision']:.2f}</td>"
        f"<td>{first['per_domain'][d.id]['recall']:.2f}</td><td>{first['per_domain'][d.id]['f1']:.2f}</td>"
        f"<td>{first['per_domain'][d.id]['support']}</td></tr>"
        for d in DOMAINS
    )
    doc = f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>techdomain accuracy report</title>
<style>FONTFACE body{{font-family:'Hiragino Sans','Yu Gothic','Meiryo','Noto Sans CJK JP','IPAexGothic',sans-serif;max-width:1150px;margin:2em auto;color:#222}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}td:first-child,th:first-child,td.name{{text-align:left}}img{{max-width:100%;display:block;margin:1em 0}}</style>
</head><body>
<h1>techdomain accuracy report</h1>
<p>Data: {html.escape(source)}<br>Model: {html.escape(model)}</p>
<h2>Overall</h2>
<table><tr><th>subset</th><th>n</th><th>top-1</th><th>top-1 (labelled)</th><th>top-3</th><th>macro-F1</th><th>worst domain</th><th>none abstained</th><th>wrongly abstained</th><th>ECE</th></tr>{rows}</table>{note}
<h2>Per domain</h2>
{_img(per_domain_chart(first), "per-domain precision, recall and F1")}
<table><tr><th>id</th><th>domain</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{per}</table>
<h2>Confusion matrix</h2>
{_img(confusion_chart(first), "confusion matrix")}
<h2>Calibration</h2>
{_img(reliability_chart(first), "reliability diagram")}
</body></html>
"""
    Path(path).write_text(doc.replace("FONTFACE", _font_face(doc), 1), encoding="utf-8")
