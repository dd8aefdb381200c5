"""The torch-free runtime (what ``pip install coinnet`` is for): onnxruntime, numpy, OpenCV and Pillow only.

``predictor`` (:class:`Predictor`: decode -> views -> model -> valid-pair decode) uses ``imageio`` (safe
decoding), ``enhance`` (photo fixes), ``views`` (where on a photo the date may be), ``pair_decoder`` (the
posterior over struck (year, mint) pairs and the vote over views), ``localise`` (the date's box), ``onnx_meta``
(the metadata contract of an exported file) and ``results`` (:class:`Prediction`, CSV/JSON writers).
The shipped model is ``models/default.onnx``.
"""

from coinnet.infer.predictor import Predictor, default_model_path
from coinnet.infer.results import RESULT_COLUMNS, Prediction, write_results

__all__ = ["Predictor", "Prediction", "RESULT_COLUMNS", "default_model_path", "write_results"]
