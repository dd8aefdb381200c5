"""Fit the shipped model's temperature and choose its threshold on out-of-fold real photos.

``python scripts/calibrate_oof.py [--oof outputs/crossval/oof_logits.npz] [--precision 0.95] [--write M.onnx]``

``scripts/crossval_real.py`` keeps, for every real photo, the logits of the view its fold's model (trained
without that photo) picked. A temperature fitted on them, and a threshold read off their accuracy-vs-coverage
curve, are what the final model (trained on every photo) is shipped with: it cannot be calibrated on photos it
has seen. ``--write`` stores both in an ONNX file's metadata (atomically; the graph is untouched).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from coinnet import labels
from coinnet.evaluate import metrics
from coinnet.evaluate.calibrate import (
    answer_confidence,
    calibration_report,
    confidence_nll,
    fit_confidence_temperature,
    heldout_ece,
)
from coinnet.files import atomic_write
from coinnet.model.export import write_metadata

REPO = Path(__file__).resolve().parent.parent


def load_oof(path: Path) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(logits, targets) per head from ``crossval_real.py``'s ``oof_logits.npz``."""
    data = np.load(path)
    return {h: data[h] for h in labels.HEAD_NAMES}, {h: data[f"target_{h}"] for h in labels.HEAD_NAMES}


def operating_points(logits: dict, targets: dict, temperature: float, precisions=(0.99, 0.95, 0.9)) -> dict:
    """Accuracy, ECE, the curve, and the lowest threshold reaching each precision, at ``temperature``."""
    conf, ok = answer_confidence(logits, targets, temperature)
    return {
        "accuracy": float(ok.mean()),
        "n": len(ok),
        "ece": metrics.expected_calibration_error(conf, ok)["ece"],
        **{f"p{round(p * 100)}": metrics.threshold_for_precision(conf, ok, p) for p in precisions},
        "curve": metrics.coverage_curve(conf, ok),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--oof", type=Path, default=REPO / "outputs" / "crossval" / "oof_logits.npz")
    ap.add_argument("--precision", type=float, default=0.95, help="precision the default threshold must reach")
    ap.add_argument("--write", type=Path, help="ONNX file whose temperature and threshold metadata to set")
    args = ap.parse_args()
    logits, targets = load_oof(args.oof)
    report = calibration_report(logits, targets)  # per-head NLL fit, for comparison
    # Shipped: the temperature that fits the answer confidence the threshold and the user see.
    t = fit_confidence_temperature(logits, targets)
    before, after = operating_points(logits, targets, 1.0), operating_points(logits, targets, t)
    print(f"{before['n']} out-of-fold photos with a known year; year+mint accuracy {after['accuracy']:.1%}")
    print(
        f"per-head NLL fit: T {report['temperature']:.3f}, head NLL {report['nll_before']:.3f} -> {report['nll_after']:.3f}, "
        f"answer ECE {report['ece_before']:.3f} -> {report['ece_after']:.3f} (two-fold held out: {report['ece_after_heldout']:.3f})"
    )
    print(
        f"answer-confidence fit (shipped): T {t:.3f}, answer log-loss {confidence_nll(logits, targets):.3f} -> "
        f"{confidence_nll(logits, targets, t):.3f}, answer ECE {before['ece']:.3f} -> {after['ece']:.3f}; "
        f"two-fold held out ECE {heldout_ece(logits, targets, fit_confidence_temperature)[1]:.3f}"
    )
    print("\n| temperature | precision target | threshold | coverage | precision |\n|---|---|---|---|---|")
    for name, res in (("1.0", before), (f"{t:.2f}", after)):
        for key in ("p99", "p95", "p90"):
            p = res[key]
            cells = (
                ("-", "-", "-")
                if p is None
                else (f"{p['threshold']:.3f}", f"{p['coverage']:.1%}", f"{p['precision']:.1%}")
            )
            print(f"| {name} | {key[1:]} % | " + " | ".join(cells) + " |")
    chosen = metrics.threshold_for_precision(*answer_confidence(logits, targets, t), args.precision)
    if chosen is None:
        print(f"no threshold reaches {args.precision:.0%} precision out of fold", file=sys.stderr)
        return 1
    print(
        f"\nchosen: temperature {t:.3f}, threshold {chosen['threshold']:.3f} "
        f"({chosen['precision']:.1%} precision at {chosen['coverage']:.1%} coverage, out of fold)"
    )
    atomic_write(
        args.oof.parent / "calibration.json",
        json.dumps(
            {
                "temperature": t,
                "threshold": chosen["threshold"],
                "chosen": chosen,
                "head_nll_fit": report,
                "before": {k: v for k, v in before.items() if k != "curve"},
                "after": {k: v for k, v in after.items() if k != "curve"},
            },
            indent=1,
        ),
    )
    if args.write:
        write_metadata(args.write, {"temperature": f"{t:.4f}", "threshold": f"{chosen['threshold']:.4f}"})
        print(f"wrote temperature and threshold into {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
