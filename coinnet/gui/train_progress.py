"""The training wizard's pure half: the command line it runs (no Qt).

The run's progress file is read with :mod:`coinnet.train.progress`, which also writes it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

BACKBONE_PRESETS = ("mobilenetv3_small_100", "mobilenetv3_large_100", "resnet18")
EPOCH_PRESETS = (1, 5, 20, 50)
EPOCH_SIZE_PRESETS = (2000, 5000, 12800, 50000)

_PLAIN_VALUE = re.compile(r"[\w/.\-+]+")


def hydra_string(value: str) -> str:
    """Quote a value for a Hydra override when it holds characters the override grammar treats specially."""
    if _PLAIN_VALUE.fullmatch(value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def train_overrides(
    backbone: str, epochs: int, epoch_size: int, real_folders: list[str], extra: list[str] | None = None
) -> list[str]:
    """Hydra overrides for one wizard run.

    Without real folders: the reader alone, trained on rendered coins as chosen. With them, the recipe of the
    shipped model (``experiment=default_model``, :mod:`coinnet.train.recipe`): that reader is trained first
    (``pretrain``), finds the date in each labelled photo (``mine``: whole-coin photos become date crops,
    plus no-date views), and is fine-tuned for 2 epochs on renders plus those crops; that reader mines the
    photos again and the fine-tune is repeated on the better crops (``mine.rounds``). ``epoch_size`` is the
    samples drawn per epoch from all sources together. ``extra`` overrides come last (in both stages), so
    they can refine anything.
    """
    chosen = [
        f"model.backbone={hydra_string(backbone)}",
        f"trainer.max_epochs={int(epochs)}",
        f"data.epoch_size={int(epoch_size)}",
    ]
    extra = list(extra or [])
    if not real_folders:
        return chosen + extra
    stage = ",".join(hydra_string(o) for o in chosen + extra)
    folders = ",".join(hydra_string(str(p)) for p in real_folders)
    return [
        f"model.backbone={hydra_string(backbone)}",
        f"data.epoch_size={int(epoch_size)}",
        "data=mixed",
        "data.real.paths=[]",
        "data.real.folds=0",
        "data.real.weight=0.5",
        "data.synthetic.negative_prob=0.25",
        "model.negative_weight=1.0",
        "model.lr=0.001",
        "trainer.max_epochs=2",
        f"recipe.pretrain=[{stage}]",
        f"recipe.mine={{data:[{folders}],negatives:1,rounds:2}}",
        *extra,
    ]


def train_command(overrides: list[str], run_dir: str | Path) -> list[str]:
    """``python -m coinnet.train <overrides> hydra.run.dir=<run_dir>`` as an argument list (no shell)."""
    return [sys.executable, "-m", "coinnet.train", *overrides, f"hydra.run.dir={hydra_string(str(run_dir))}"]
