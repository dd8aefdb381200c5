"""What real photos add, cross-validated: ``python scripts/crossval_real.py --init CKPT [--folds 5]``.

For each fold: run the shipped recipe (``experiment=default_model``: fine-tune ``--init``, a synthetic-only
checkpoint, on rendered coins plus the mined crops (``coinnet.mine``) of the other folds), export, then read the held-out fold's *original* photos with the full
predictor (view search included), beside the ``--init`` model on the same photos. Prints mean and spread over
folds. Photos never straddle the split: the crops folder has one row per source photo, split by the same seed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from coinnet.data.real import read_labels as training_rows
from coinnet.data.sampling import kfold_split
from coinnet import metrics
from coinnet.evaluate import answers, evaluate_predictions
from coinnet.mine import MINED_FROM
from coinnet.predictor import Predictor

REPO = Path(__file__).resolve().parent.parent
KEYS = (("year", "year"), ("mint", "mint"), ("year_mint", "year+mint"))


def fold_scores(model: Path, truths: list[tuple]) -> dict:
    preds = Predictor(model, search="full").predict_paths([t[0] for t in truths])
    result = evaluate_predictions(preds, truths)
    out = {k: result["overall"][k]["accuracy"] for k, _ in KEYS}
    # Out-of-fold confidence and correctness per photo, pooled later to choose the default threshold.
    confidence, correct = answers(preds, truths)
    out["answers"] = [[float(c), bool(ok)] for c, ok in zip(confidence, correct)]
    out["by_view"] = {v: {k: r[k]["accuracy"] for k, _ in KEYS} for v, r in result["by_view"].items()}
    out["n"] = result["overall"]["year"]["n"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--init", type=Path, required=True, help="synthetic-only checkpoint to start from (and compare with)")
    ap.add_argument("--init-onnx", type=Path, required=True, help="its ONNX export (the baseline reader)")
    ap.add_argument("--crops", type=Path, default=REPO / "data" / "cents-web-crops")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=REPO / "outputs" / "crossval")
    args = ap.parse_args()
    rows = training_rows(args.crops)
    results = []
    for fold in range(args.folds):
        run_dir = args.out / f"fold{fold}"
        # The shipped recipe (experiment=default_model), with one fold held out.
        cmd = [sys.executable, "-m", "coinnet.train", "experiment=default_model", f"data.real.paths=[{args.crops.resolve()}]",
               f"data.real.folds={args.folds}", f"data.real.fold={fold}", f"init_ckpt={args.init.resolve()}",
               f"seed={args.seed}", f"paths.run_dir={run_dir.resolve()}", f"logger.run_name=crossval-fold{fold}",
               "trainer.enable_progress_bar=false"]
        if not (run_dir / "model.onnx").is_file():
            subprocess.run(cmd, cwd=REPO, check=True)
        _, val = kfold_split(len(rows), args.folds, fold, args.seed)
        truths = [(rows[i].notes.removeprefix(MINED_FROM), rows[i].year, rows[i].mint, rows[i].view) for i in val]
        res = {"fold": fold, "synthetic_only": fold_scores(args.init_onnx, truths), "with_real": fold_scores(run_dir / "model.onnx", truths)}
        results.append(res)
        print(json.dumps({k: v for k, v in res.items()} | {w: {k: v for k, v in res[w].items() if k != "answers"} for w in ("synthetic_only", "with_real")}), flush=True)
    (args.out / "crossval.json").write_text(json.dumps(results, indent=1))
    print(f"\n{args.folds}-fold cross-validation on {len(rows)} real photos (mean ± std over folds)\n")
    print("| model | " + " | ".join(name for _, name in KEYS) + " |\n|---|" + "---|" * len(KEYS))
    for which in ("synthetic_only", "with_real"):
        cells = []
        for key, _ in KEYS:
            vals = np.array([r[which][key] for r in results if r[which][key] is not None])
            cells.append(f"{vals.mean():.1%} ± {vals.std():.1%}")
        print(f"| {which} | " + " | ".join(cells) + " |")
    for which in ("synthetic_only", "with_real"):
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
