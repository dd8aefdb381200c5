"""Plots and a self-contained HTML report of an evaluation (matplotlib Agg, no torch).

The PNGs are written beside ``report.html`` (for MLflow and for reuse) and also embedded in it as base64,
so the one HTML file can be mailed or opened anywhere.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from coinnet import labels  # noqa: E402
from coinnet.files import atomic_write  # noqa: E402
from coinnet.infer.imageio import ImageError, load_image  # noqa: E402

GALLERY_SIZE = 16
THUMB_PX = 200


def _save(fig, path: Path) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    atomic_write(path, buf.getvalue())
    return buf.getvalue()


def plot_confusions(confusion: dict[str, dict], path: Path) -> bytes:
    """Mint and digit confusion matrices in one figure (log colour scale, counts written in)."""
    fig, axes = plt.subplots(2, 3, figsize=(13, 8.5))
    for ax, head in zip(axes.flat, ("mint", *[f"digit{i}" for i in range(labels.NUM_DIGITS)])):
        counts = np.array(confusion[head]["counts"])
        names = list(labels.MINTS) if head == "mint" else [str(d) for d in range(labels.DIGIT_CLASSES)]
        shade = np.log1p(counts)
        ax.imshow(shade, cmap="Blues")
        for (r, c), v in np.ndenumerate(counts):
            if v:  # white on the dark half of the colour scale, black on the light half
                dark = shade[r, c] > shade.max() / 2
                ax.text(c, r, str(v), ha="center", va="center", fontsize=7, color="white" if dark else "black")
        ax.set_xticks(range(len(names)), names)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        n = counts.sum()
        acc = f"{np.trace(counts) / n:.1%} of {n}" if n else "nothing scored"
        ax.set_title(f"{head}: {acc}")
    axes.flat[-1].axis("off")
    fig.tight_layout()
    return _save(fig, path)


def plot_reliability(ece: dict, path: Path) -> bytes:
    """Reliability diagram: accuracy per confidence bin against the diagonal, with bin counts."""
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(5.5, 6.5), height_ratios=(3, 1), sharex=True)
    bins = ece["bins"]
    centres = [(b["lo"] + b["hi"]) / 2 for b in bins]
    width = bins[0]["hi"] - bins[0]["lo"]
    acc = [b["accuracy"] or 0.0 for b in bins]
    ax.bar(centres, acc, width=width * 0.9, color="tab:blue", edgecolor="black", label="accuracy")
    ax.plot([0, 1], [0, 1], "k--", lw=1, label="perfect calibration")
    for b, x in zip(bins, centres):
        if b["count"]:
            ax.plot(x, b["mean_confidence"], "r_", ms=14, mew=2)
    ax.plot([], [], "r_", ms=14, mew=2, label="mean confidence")
    ax.set_ylim(0, 1)
    ax.set_ylabel("accuracy of the answer")
    ece_text = "n/a" if ece["ece"] is None else f"{ece['ece']:.3f}"
    ax.set_title(f"Reliability (ECE {ece_text}, n={ece['n']})")
    ax.legend(loc="upper left", fontsize=8)
    hist.bar(centres, [b["count"] for b in bins], width=width * 0.9, color="grey")
    hist.set_xlabel("overall confidence")
    hist.set_ylabel("photos")
    hist.set_xlim(0, 1)
    fig.tight_layout()
    return _save(fig, path)


def plot_coverage(coverage: dict, path: Path) -> bytes:
    """Precision and coverage against the threshold, and the precision-coverage trade-off."""
    curve = coverage["curve"]
    t = [p["threshold"] for p in curve]
    cov = [p["coverage"] or 0.0 for p in curve]
    prec = [np.nan if p["precision"] is None else p["precision"] for p in curve]
    fig, (left, right, risk) = plt.subplots(1, 3, figsize=(15, 4.2))
    left.plot(t, prec, label="precision (accuracy of answered)")
    left.plot(t, cov, label="coverage (fraction answered)")
    chosen = coverage["at_threshold"]
    left.axvline(chosen["threshold"], color="grey", ls=":", label=f"threshold {chosen['threshold']:.2f}")
    left.set_xlabel("confidence threshold")
    left.set_ylim(0, 1.02)
    left.legend(fontsize=8)
    right.plot(cov, prec, marker=".", ms=3)
    for target, point in coverage["for_precision"].items():
        if point:
            right.plot(
                point["coverage"], point["precision"], "o", label=f"precision {target}: t={point['threshold']:.3f}"
            )
    right.set_xlabel("coverage")
    right.set_ylabel("precision")
    right.set_xlim(0, 1.02)
    right.set_ylim(0, 1.02)
    right.set_title(f"Accuracy vs coverage (n={chosen['n']})")
    if right.get_legend_handles_labels()[0]:
        right.legend(fontsize=8)
    points = np.array(coverage.get("risk_coverage") or [[0.0, 0.0]])
    risk.plot(points[:, 0], points[:, 1])
    risk.set_xlabel("coverage (most confident answered first)")
    risk.set_ylabel("risk (share of answers wrong)")
    risk.set_xlim(0, 1.02)
    risk.set_ylim(0, max(0.05, float(points[:, 1].max()) * 1.1))
    aurc = coverage.get("aurc")
    risk.set_title("Risk vs coverage" + ("" if aurc is None else f" (AURC {aurc:.3f}, lower is better)"))
    fig.tight_layout()
    return _save(fig, path)


def _thumbnail(path: str) -> str:
    """A JPEG data URI of the image shrunk to fit ``THUMB_PX``, or "" when it can't be read."""
    try:
        img = Image.fromarray(load_image(path))
    except ImageError:
        return ""
    img.thumbnail((THUMB_PX, THUMB_PX))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


def _reading(year, mint) -> str:
    return f"{year if year is not None else '????'} {mint if mint is not None else '?'}"


def _pct(rate: dict) -> str:
    if rate["accuracy"] is None:
        return "<td>–</td><td>0</td>"
    return f"<td>{rate['accuracy']:.1%}</td><td>{rate['correct']}/{rate['n']}</td>"


def _rates_table(groups: dict[str, dict], first_column: str) -> str:
    head = "".join(f"<th colspan=2>{h}</th>" for h in ("year", "mint", "year+mint", "d0", "d1", "d2", "d3"))
    rows = []
    for name, s in groups.items():
        cells = _pct(s["year"]) + _pct(s["mint"]) + _pct(s["year_mint"]) + "".join(_pct(d) for d in s["digits"])
        rows.append(f"<tr><th>{html.escape(name)}</th><td>{s['rows']}</td>{cells}</tr>")
    return f"<table><tr><th>{first_column}</th><th>photos</th>{head}</tr>{''.join(rows)}</table>"


def _gallery(mistakes: list[dict]) -> str:
    if not mistakes:
        return "<p>No scored mistakes.</p>"
    cards = []
    for m in mistakes:
        thumb = _thumbnail(m["path"])
        link = html.escape(Path(m["path"]).resolve().as_uri())
        img = f'<a href="{link}"><img src="{thumb}" alt=""></a>' if thumb else "<div class=noimg>unreadable</div>"
        cards.append(
            f"<figure>{img}<figcaption><b>{html.escape(Path(m['path']).name)}</b><br>"
            f"true <b>{_reading(m['true_year'], m['true_mint'])}</b><br>"
            f"read <b class=bad>{_reading(m['pred_year'], m['pred_mint'])}</b><br>"
            f"confidence {m['confidence']:.3f}</figcaption></figure>"
        )
    return f"<div class=gallery>{''.join(cards)}</div>"


def _coverage_table(coverage: dict) -> str:
    rows = [("chosen threshold", coverage["at_threshold"])]
    rows += [(f"lowest t for precision ≥ {k}", v) for k, v in coverage["for_precision"].items()]
    out = []
    for name, p in rows:
        if p is None:
            out.append(f"<tr><th>{name}</th><td colspan=4>not reached at any threshold</td></tr>")
            continue
        prec = "–" if p["precision"] is None else f"{p['precision']:.1%}"
        out.append(f"<tr><th>{name}</th><td>{p['threshold']:.3f}</td><td>{p['coverage']:.1%}</td>"
                   f"<td>{prec}</td><td>{p['correct']}/{p['answered']} answered of {p['n']}</td></tr>")  # fmt: skip
    return f"<table><tr><th></th><th>threshold</th><th>coverage</th><th>precision</th><th>counts</th></tr>{''.join(out)}</table>"


_CSS = """body{font-family:sans-serif;margin:2em;max-width:1250px}table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#f3f3f3}img.plot{max-width:100%}
.gallery{display:flex;flex-wrap:wrap;gap:10px}figure{margin:0;width:210px;font-size:12px}
figure img{max-width:200px;max-height:200px}.bad{color:#b00}.noimg{height:80px;background:#eee}
.note{color:#555;font-size:13px}"""


def write_report(result: dict, out_dir: Path) -> Path:
    """Render the plots and ``report.html`` into ``out_dir``.

    Args:
        result: the metrics dict written to ``metrics.json`` (:func:`coinnet.evaluate.score.evaluate_predictions`);
            the first :data:`GALLERY_SIZE` of its ``mistakes`` (most confident first) make the gallery.
        out_dir: folder for ``report.html`` and the PNGs.

    Returns:
        The path of ``report.html``.
    """
    out_dir = Path(out_dir)
    plots = {
        "Confusion matrices": plot_confusions(result["confusion"], out_dir / "confusion.png"),
        "Reliability diagram": plot_reliability(result["calibration"], out_dir / "reliability.png"),
        "Accuracy, coverage and risk": plot_coverage(result["coverage"], out_dir / "coverage.png"),
    }
    plot_html = "".join(
        f'<h2>{title}</h2><img class=plot src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        for title, png in plots.items()
    )
    status = ", ".join(f"{k}: {v}" for k, v in result["status_counts"].items())
    temperature = ""
    if result.get("temperature"):
        t = result["temperature"]
        held = "–" if t["ece_after_heldout"] is None else f"{t['ece_after_heldout']:.3f}"
        current = (
            ""
            if t["current_temperature"] == 1.0
            else (f" The model ships with T = {t['current_temperature']:.3f} (ECE {t['ece_current']:.3f}).")
        )
        temperature = (f"<h2>Temperature fit</h2><p>T = {t['temperature']:.3f}; ECE {t['ece_before']:.3f} at T=1 → "
                       f"{t['ece_after']:.3f} in-sample, {held} two-fold held-out; NLL {t['nll_before']:.3f} → "
                       f"{t['nll_after']:.3f} (n={t['n_scored']}).{current}</p>")  # fmt: skip
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>coinnet evaluation</title>
<style>{_CSS}</style></head><body>
<h1>coinnet evaluation</h1>
<p class=note>data <code>{html.escape(str(result["data"]))}</code> · model <code>{html.escape(str(result["model"]))}</code>
· {result["created"]} · {result["rows"]} photos ({status})</p>
<h2>Headline</h2>{_rates_table({"all photos": result["overall"]}, "")}
<p class=note>{html.escape(result["definitions"])}</p>
<h2>What a user gets at a threshold</h2>{_coverage_table(result["coverage"])}
<h2>By view</h2>{_rates_table(result["by_view"], "view")}
<h2>By era</h2>{_rates_table(result["by_era"], "era")}
{temperature}{plot_html}
<h2>Most confident mistakes</h2>{_gallery(result["mistakes"][:GALLERY_SIZE])}
</body></html>"""
    path = out_dir / "report.html"
    atomic_write(path, page.encode("utf-8"))
    return path
