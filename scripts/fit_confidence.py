"""Fit the confidence rule out of fold and judge it on shifted photo sources.

``python scripts/fit_confidence.py --crossval outputs/crossval [--external cents-web2=FOLDER:MODEL.onnx ...]
[--precision 0.99] [--drop steady] [--write coinnet/infer/models/default.onnx] [--out outputs/confidence]``

1. Every photo of ``scripts/crossval_real.py``'s folds is read by its fold's model, which never trained on it, and
   its signals (:mod:`coinnet.infer.confidence`) and correctness are kept.
2. Softmax alone and the fitted rule are judged per grouping of those photos by what changes between photo sources
   (holder or raw, proof or business strike, resolution band, era, and with several ``--data`` folders the folder
   itself), leaving one group out, beside random folds.
3. The rule fitted on every photo, and the threshold that reached ``--precision`` on the pooled held-out groups,
   are judged once more on each ``--external`` folder: a photo source no model here trained on, read by the model
   named with it.
4. ``--write`` stores the rule, that threshold and the measured precision curve in the model's metadata.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from coinnet.evaluate import metrics
from coinnet.evaluate.confidence_fit import BASELINE, fit_rule, judge, shifted_report, stored_curve
from coinnet.evaluate.score import correctness, read_labels
from coinnet.files import atomic_write
from coinnet.infer.confidence import metadata_from_report
from coinnet.infer.predictor import Predictor

REPO = Path(__file__).resolve().parent.parent


def read(model: Path, truths: list) -> tuple[list[dict], np.ndarray]:
    """Signals and correctness of each labelled photo (those with a known year) as ``model`` reads it."""
    preds = Predictor(model, threshold=0.0, steady=True).predict_paths([t.path for t in truths])
    correct, scored = correctness(preds, truths)
    keep = [i for i in np.flatnonzero(scored) if preds[i].signals is not None]
    return [preds[i].signals for i in keep], correct[keep], [truths[i] for i in keep]


def width_band(path: str) -> str:
    with Image.open(path) as im:
        width = im.size[0]
    return "under 250 px" if width < 250 else ("250-500 px" if width <= 500 else "over 500 px")


def held_out_renders(out: Path, n: int, fonts: list[str], seed: int = 7) -> Path:
    """A labelled folder of ``n`` rendered coins (half whole, half close-ups, any rotation, 384 px) drawn only with
    ``fonts``: a style the fold models never trained on when the cross-validation held those fonts out."""
    from coinnet.label_folder import write_rows
    from coinnet.render import RenderConfig, render

    rows = []
    (out / "images").mkdir(parents=True, exist_ok=True)
    for view, closeup in (("whole", 0.0), ("closeup", 1.0)):
        cfg = RenderConfig(size=384, closeup_prob=closeup, fonts=fonts, traced_prob=0.0)  # only the held-out fonts
        for i in range(n // 2):
            coin = render(cfg, seed, i)
            name = f"images/{view}{i:04d}.jpg"
            Image.fromarray(coin.image).save(out / name, quality=92)
            rows.append({"file": name, "year": coin.year, "mint": coin.mint, "view": view, "legible": "yes"})
    write_rows(out, rows)
    return out


def groupings(truths: list, source: dict[str, str]) -> dict[str, list[str]]:
    """What changes between photo sources, for each photo (``source``: photo path -> its --data folder's name)."""
    groups = {
        "holder vs raw": [t.view for t in truths],
        "proof vs business": ["proof" if "proof" in t.notes.lower() else "business" for t in truths],
        "resolution": [width_band(t.path) for t in truths],
        "era": [metrics.era_of(t.year) for t in truths],
    }
    if len(set(source.values())) > 1:  # the real thing: fit on one photo source, judge on another
        groups["photo source"] = [source[str(Path(t.path).resolve())] for t in truths]
    return groups


def out_of_fold(crossval: Path, labelled: list) -> tuple[list[dict], np.ndarray, list]:
    """Signals, correctness and truths of the photos among ``labelled`` that a fold held out, read by that fold."""
    by_path = {str(Path(t.path).resolve()): t for t in labelled}
    signals, correct, truths = [], [], []
    for fold in json.loads((crossval / "crossval.json").read_text()):
        held = [by_path[str(Path(p).resolve())] for p in fold["photos"] if str(Path(p).resolve()) in by_path]
        s, c, t = read(Path(fold["model"]), held)
        signals += s
        correct.append(c)
        truths += t
    return signals, np.concatenate(correct), truths


def row(name: str, judged: dict, key: str) -> str:
    def pct(v):
        return "–" if v is None else f"{v:.1%}"

    cells = [judged[w] for w in ("softmax", "rule")]
    return (
        f"| {name} | {cells[0]['n']} | {cells[0]['aurc']:.3f} → {cells[1]['aurc']:.3f} | "
        f"{pct(cells[0][key])} → {pct(cells[1][key])} | "
        f"{pct(cells[0]['precision_at_50'])} → {pct(cells[1]['precision_at_50'])} |"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--crossval", type=Path, default=REPO / "outputs" / "crossval", help="crossval_real.py --out")
    ap.add_argument(
        "--data",
        type=Path,
        nargs="+",
        default=[REPO.parent / "shared" / "datasets" / "cents-web"],
        help="labels.csv folders of the cross-validated photos (several: each is also a held-out group)",
    )
    ap.add_argument("--external", action="append", default=[], metavar="NAME=FOLDER:MODEL")
    ap.add_argument("--renders", type=int, default=0, help="also judge on this many renders in --render-fonts")
    ap.add_argument("--render-fonts", default="Caladea-Regular,LinLibertine_R", help="fonts held out of training")
    ap.add_argument("--precision", type=float, default=0.99, help="precision the shipped threshold targets")
    ap.add_argument("--write", type=Path, help="ONNX file to store the rule, threshold and curve in")
    ap.add_argument(
        "--drop",
        default="",
        help="signals the rule leaves out, comma-separated (steady: the predictor reads no jitters)",
    )
    ap.add_argument("--out", type=Path, default=REPO / "outputs" / "confidence")
    args = ap.parse_args()
    key = f"coverage_at_{round(args.precision * 100)}"

    by_folder = {folder.name: read_labels(folder) for folder in args.data}
    signals, correct, truths = out_of_fold(args.crossval, [t for ts in by_folder.values() for t in ts])
    dropped = {d for d in args.drop.split(",") if d}
    signals = [{k: v for k, v in sig.items() if k not in dropped} for sig in signals]
    source = {str(Path(t.path).resolve()): name for name, ts in by_folder.items() for t in ts}
    report = shifted_report(signals, correct, groupings(truths, source), args.precision)
    pooled = report.pop("pooled_shifted")
    rule = fit_rule(signals, correct)
    point = metrics.threshold_for_precision(pooled["confidence"], pooled["correct"], args.precision)
    threshold = point["threshold"] if point else 1.0
    print(f"{len(correct)} out-of-fold photos, year+mint right {correct.mean():.1%}; rule {rule.to_json()}")
    print(f"threshold for {args.precision:.0%} precision on the pooled held-out groups: {threshold:.4f} ({point})\n")
    print(f"| held out | n | AURC softmax → rule | coverage at {args.precision:.0%} precision | precision at 50 % |")
    print("|---|---|---|---|---|")
    for name, judged in report.items():
        print(row(name, judged, key))
    external, specs = {}, list(args.external)
    if args.renders:
        folds = json.loads((args.crossval / "crossval.json").read_text())
        folder = held_out_renders(args.out / "renders", args.renders, args.render_fonts.split(","))
        specs.append(f"renders in held-out fonts={folder}:{folds[0]['model']}")
    for spec in specs:
        name, _, rest = spec.partition("=")
        folder, _, model = rest.rpartition(":")
        s, c, _ = read(Path(model), read_labels(folder))
        softmax, ruled = np.array([x[BASELINE] for x in s]), rule.apply(s)
        external[name] = {
            "softmax": judge(softmax, c, args.precision),
            "rule": judge(ruled, c, args.precision),
            "at_shipped_threshold": metrics.at_threshold(ruled, c, threshold),
        }
        print(row(f"{name} (rule fitted on all)", external[name], key))
        print(f"  {name} at the shipped threshold {threshold:.3f}: {external[name]['at_shipped_threshold']}")
    curve = stored_curve(pooled["confidence"], pooled["correct"])
    result = {"rule": json.loads(rule.to_json()), "threshold": threshold, "precision": args.precision,
              "shifted": report, "external": external, "curve": curve}  # fmt: skip
    atomic_write(args.out / "confidence.json", json.dumps(result, indent=1, default=float))
    if args.write:
        from coinnet.model.export import write_metadata  # torch and onnx: only when writing

        write_metadata(args.write, metadata_from_report(args.out / "confidence.json"))
        print(f"wrote the rule, threshold {threshold:.4f} and a {len(curve)}-point curve into {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
