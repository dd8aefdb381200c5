"""coinnet: read the year and mint mark of US one-cent coins from photos.

Packages, from the bottom up (each imports only those below it, and nothing below ``model`` imports torch):

- ``labels`` (the label schema), ``catalog`` (key dates), ``files`` (image names, atomic writes),
  ``label_folder`` (labels.csv folders), ``env`` (offline defaults);
- ``infer`` - the torch-free runtime: :class:`Predictor`; ``predict`` is its CLI;
- ``evaluate`` - torch-free scoring, calibration and reports on labelled photos;
- ``render`` - the synthetic cent renderer; ``data`` - torch datasets and the DataModule;
- ``model`` - the pure-torch net, the LightningModule and ONNX export;
- ``train`` - ``python -m coinnet.train``: the recipe and one Lightning fit;
- ``gui`` - the PySide6 desktop app (talks to ``infer``; training runs in a subprocess).

``from coinnet import Predictor, Prediction, write_results`` loads the runtime on first use.
"""

from __future__ import annotations

_RUNTIME = ("Predictor", "Prediction", "write_results")
__all__ = list(_RUNTIME)


def __getattr__(name: str):
    if name in _RUNTIME:
        import coinnet.infer as infer

        return getattr(infer, name)
    raise AttributeError(f"module 'coinnet' has no attribute {name!r}")
