"""What real photos add, cross-validated: ``python scripts/crossval_real.py --init CKPT --init-onnx ONNX``.

For each fold, run the shipped recipe (``experiment=default_model``) with the fold held out:
- fine-tune ``--init``, a synthetic-only checkpoint, on rendered coins plus the mined crops (``coinnet.train.mine``)
  of the other folds;
- with ``--rounds 2`` (as ``mine.rounds``), mine every photo again with that fold's reader and fine-tune again;
- export, then read the held-out fold's *original* photos with the full predictor, both with the 32-view search
  and with the predictor's default (the localiser's views), beside the ``--init`` model on the same photos.
- with several ``--crops`` folders (the recipe's ``mined/0``, ``mined/1``...), folds span all their photos and
  each folder also gets its own column.

Prints mean and spread over folds. Photos never straddle the split: crops are grouped by their source photo (``LabelRecord.source``), as
training groups them. The held-out photos' best-view logits are kept (``oof_logits.npz``) for
``scripts/calibrate_oof.py``, which fits the temperature and the default threshold on them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from coinnet import labels
from coinnet.data.real import read_labels as training_rows
from coinnet.data.sampling import kfold_split
from coinnet.evaluate import metrics
from coinnet.evaluate.score import answers, evaluate_predictions
from coinnet.files import atomic_write
from coinnet.infer.imageio import load_image
from coinnet.infer.predictor import DRAFT_FACTOR, Predictor
from coinnet.train.mine import mine

REPO = Path(__file__).resolve().parent.parent
KEYS = (("year", "year"), ("mint", "mint"), ("year_mint", "year+mint"))
# The renders-only reader and the fold's reader with the 32-view search; the fold's reader as the predictor reads
# by default (the localiser's views, when its folder has one).
WHICH = ("synthetic_only", "with_real", "with_real_default_search")


def held_out_logits(model: Path, truths: list[tuple]) -> dict[str, np.ndarray]:
    """Raw logits of the view the predictor picks, per held-out photo (for fitting the temperature)."""
    predictor = Predictor(model, search="full")
    images = [load_image(t[0], min_side=DRAFT_FACTOR["full"] * predictor.input_size) for t in truths]
    return predictor.head_logits(images)


def fold_scores(model: Path, truths: list[tuple], origin: dict[str, str], search: str | None = "full") -> dict:
    """Accuracy of ``model`` on the held-out ``truths``, overall and per crops folder (``origin``: photo -> folder).

    ``search`` None is the predictor's default: the localiser's views when the model names one, as shipped.
    """
    preds = Predictor(model, search=search).predict_paths([t[0] for t in truths])
    result = evaluate_predictions(preds, truths)
    out = {k: result["overall"][k]["accuracy"] for k, _ in KEYS}
    out["by_source"] = {}
    for name in sorted(set(origin.values())):
        keep = [i for i, t in enumerate(truths) if origin[t[0]] == name]
        if keep:
            part = evaluate_predictions([preds[i] for i in keep], [truths[i] for i in keep])["overall"]
            out["by_source"][name] = {k: part[k]["accuracy"] for k, _ in KEYS} | {"n": part["year"]["n"]}
    # Out-of-fold confidence and correctness per photo, pooled later to choose the default threshold.
    confidence, correct = answers(preds, truths)
    out["answers"] = [[float(c), bool(ok)] for c, ok in zip(confidence, correct)]
    out["by_view"] = {v: {k: r[k]["accuracy"] for k, _ in KEYS} for v, r in result["by_view"].items()}
    out["n"] = result["overall"]["year"]["n"]
    return out


def mean_std_cells(scores: list[dict]) -> str:
    """Table cells ``mean ± std`` over folds of each of ``KEYS`` (folds where it is unknown left out)."""
    cells = []
    for key, _ in KEYS:
        vals = np.array([s[key] for s in scores if s[key] is not None])
        cells.append(f"{vals.mean():.1%} ± {vals.std():.1%}" if vals.size else "–")
    return " | ".join(cells)


def fit_fold(args: argparse.Namespace, crops: list[Path], fold: int, run_dir: Path) -> Path:
    """The shipped recipe (experiment=default_model) on ``crops`` with fold ``fold`` held out (or the finished
    run in ``run_dir``); its ONNX file."""
    cmd = [
        sys.executable,
        "-m",
        "coinnet.train",
        "experiment=default_model",
        f"data.real.paths=[{','.join(str(c.resolve()) for c in crops)}]",
        f"data.real.folds={args.folds}",
        f"data.real.fold={fold}",
        f"init_ckpt={args.init.resolve()}",
        "recipe.mine=null",
        # Fold models are read by their signals (scripts/fit_confidence.py), not by a rule fitted on these very folds.
        "recipe.calibration.confidence=null",
        f"seed={args.seed}",
        f"paths.run_dir={run_dir.resolve()}",
        f"logger.run_name=crossval-{run_dir.name}",
        "trainer.enable_progress_bar=false",
        *args.override,
    ]
    if not (run_dir / "model.onnx").is_file():
        subprocess.run(cmd, cwd=REPO, check=True)
    return run_dir / "model.onnx"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--init", type=Path, required=True, help="synthetic-only checkpoint to start from (and compare with)"
    )
    ap.add_argument("--init-onnx", type=Path, required=True, help="its ONNX export (the baseline reader)")
    ap.add_argument(
        "--crops",
        type=Path,
        nargs="+",
        default=[REPO / "data" / "cents-web-crops"],
        help="folders of crops mined by --init's reader (as the recipe's mined/0, mined/1...); folds span them all",
    )
    ap.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "datasets" / "cents-web", help="the photos (for --rounds)"
    )
    ap.add_argument(
        "--rounds", type=int, default=2, help="mine.rounds of the recipe: later rounds re-mine with the fold's reader"
    )
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=REPO / "outputs" / "crossval")
    ap.add_argument(
        "--override", action="append", default=[], help="extra Hydra override for every fold's fit (repeatable)"
    )
    args = ap.parse_args()
    if args.rounds > 1 and len(args.crops) > 1:
        ap.error("--rounds > 1 re-mines one --data folder: give one --crops folder")
    # As the datamodule reads data.real.paths: every folder's rows in order, folds grouped by source photo.
    rows, origin = [], {}
    for folder in args.crops:
        folder_rows = training_rows(folder)
        rows += folder_rows
        origin |= {r.source: folder.name for r in folder_rows}
    groups = [r.source for r in rows]
    results, oof = [], {}
    for fold in range(args.folds):
        crops, run_dir = args.crops, args.out / f"fold{fold}"
        model = fit_fold(args, crops, fold, run_dir)
        for r in range(2, args.rounds + 1):
            # As mine.rounds does: the fold's reader, which never saw the held-out photos, mines every photo again.
            crops = [run_dir / f"mined_round{r}"]
            if not (crops[0] / "labels.csv").is_file():
                mine(args.data, crops[0], Predictor(model, search="full"), negatives=1)
            run_dir = args.out / f"fold{fold}_round{r}"
            model = fit_fold(args, crops, fold, run_dir)
        _, val = kfold_split(len(rows), args.folds, fold, args.seed, groups=groups)
        # The held-out fold's original photos, once each, as the user would give them.
        truths = [(rows[i].source, rows[i].year, rows[i].mint, rows[i].view) for i in val if not rows[i].no_date]
        res = {
            "fold": fold,
            # For scripts/fit_confidence.py: which model read which held-out photos.
            "model": str(model.resolve()),
            "photos": [t[0] for t in truths],
            "synthetic_only": fold_scores(args.init_onnx, truths, origin),
            "with_real": fold_scores(model, truths, origin),
            "with_real_default_search": fold_scores(model, truths, origin, search=None),
        }
        for head, values in held_out_logits(model, truths).items():
            oof.setdefault(head, []).append(values)
        oof.setdefault("photo", []).append(np.array([t[0] for t in truths]))
        # Labels as head targets (unknown fields = ignore index), the form calibrate.fit_temperature takes.
        targets = np.array([labels.encode(t[1], t[2]) for t in truths], dtype=np.int64).reshape(
            -1, len(labels.HEAD_NAMES)
        )
        for k, head in enumerate(labels.HEAD_NAMES):
            oof.setdefault(f"target_{head}", []).append(targets[:, k])
        results.append(res)
        print(
            json.dumps(
                {k: v for k, v in res.items() if k != "photos"}
                | {w: {k: v for k, v in res[w].items() if k != "answers"} for w in WHICH}
            ),
            flush=True,
        )
    atomic_write(args.out / "crossval.json", json.dumps(results, indent=1))
    np.savez(args.out / "oof_logits.npz", **{k: np.concatenate(v) for k, v in oof.items()})
    photos = len({r.source for r in rows})
    print(f"\n{args.folds}-fold cross-validation on {photos} real photos (mean ± std over folds)\n")
    print("| model | " + " | ".join(name for _, name in KEYS) + " |\n|---|" + "---|" * len(KEYS))
    for which in WHICH:
        print(f"| {which} | " + mean_std_cells([r[which] for r in results]) + " |")
        for name in sorted(set(origin.values())):
            parts = [r[which]["by_source"].get(name) for r in results]
            print(f"| {which}, {name} only | " + mean_std_cells([p for p in parts if p]) + " |")
    for which in WHICH:
        answers = np.array([a for r in results for a in r[which]["answers"]])
        conf, correct = answers[:, 0], answers[:, 1].astype(bool)
        for target in (0.99, 0.95):
            t = metrics.threshold_for_precision(conf, correct, target)
            print(f"{which}: out-of-fold threshold for {target:.0%} precision: {t}")
        at = metrics.at_threshold(conf, correct, 0.5)
        print(f"{which}: at threshold 0.5: {at}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
