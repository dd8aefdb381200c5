"""Training: ``python -m coinnet.train [overrides]`` runs :func:`coinnet.train.recipe.train` on ``conf/``.

Layers, each importing only those below it: ``recipe`` (stages before the fit: pretrain, mine, fine-tune
rounds) -> ``fit`` (one Lightning run: fit, validate, plot, export, log) -> ``callbacks``/``tracking``/``plots``.
``progress`` (the progress-file events) and ``mine`` are torch-free, so the desktop app can use them.
Importing this package imports nothing heavy: ``train`` is loaded on first use.
"""

from __future__ import annotations


def __getattr__(name: str):
    if name == "train":
        from coinnet.train.recipe import train

        return train
    raise AttributeError(f"module 'coinnet.train' has no attribute {name!r}")
