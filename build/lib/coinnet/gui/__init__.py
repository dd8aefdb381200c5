"""Desktop app (PySide6) for reading Lincoln cents: single image, batch, review & correct, train.

Never imports torch, lightning or hydra: inference goes through the ONNX predictor and training runs in a
separate process (``python -m coinnet.train``).
"""
