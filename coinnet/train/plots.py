"""End-of-run plots from validation predictions: confusion matrices per head and a prediction grid."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from coinnet import labels  # noqa: E402
from coinnet.files import atomic_path  # noqa: E402


def confusion_matrix(pred: np.ndarray, target: np.ndarray, classes: int) -> np.ndarray:
    """Counts (true row, predicted column) over samples whose target is known."""
    known = target != labels.IGNORE_INDEX
    cm = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(cm, (target[known], pred[known]), 1)
    return cm


def plot_confusions(pred: np.ndarray, target: np.ndarray, out_dir: Path) -> list[Path]:
    """One PNG per head (``confusion_digit0.png`` ... ``confusion_mint.png``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, head in enumerate(labels.HEAD_NAMES):
        names = list(labels.MINTS) if head == "mint" else [str(d) for d in range(labels.DIGIT_CLASSES)]
        cm = confusion_matrix(pred[:, i], target[:, i], len(names))
        fig, ax = plt.subplots(figsize=(4.2, 3.8), dpi=100)
        ax.imshow(np.log1p(cm), cmap="Blues")
        for (r, c), v in np.ndenumerate(cm):
            if v:
                ax.text(c, r, str(v), ha="center", va="center", fontsize=7, color="black" if r != c else "white")
        ax.set_xticks(range(len(names)), names)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        acc = np.trace(cm) / max(1, cm.sum())
        ax.set_title(f"{head}: {acc:.1%} of {cm.sum()}")
        fig.tight_layout()
        path = out_dir / f"confusion_{head}.png"
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png")
        plt.close(fig)
        paths.append(path)
    return paths


def _label_text(row: np.ndarray) -> str:
    year, mint = labels.decode(tuple(int(v) for v in row))
    return f"{year if year is not None else '????'} {mint if mint is not None else '?'}"


def plot_prediction_grid(images: np.ndarray, pred: np.ndarray, target: np.ndarray, path: Path, cols: int = 8) -> Path:
    """Validation images (N, 3, H, W in [0, 1]) titled 'pred / true', wrong ones in red."""
    n = min(len(images), 32)
    rows = max(1, int(np.ceil(n / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 1.6, rows * 1.8), dpi=100, squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for i in range(n):
        ax = axes.flat[i]
        ax.imshow(np.clip(images[i].transpose(1, 2, 0), 0, 1))
        known = target[i] != labels.IGNORE_INDEX
        ok = bool((pred[i][known] == target[i][known]).all())
        ax.set_title(f"{_label_text(pred[i])}\n{_label_text(target[i])}", fontsize=7, color="black" if ok else "red")
    fig.suptitle("validation: predicted / true", fontsize=9)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
    return path
