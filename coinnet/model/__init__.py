"""The model (needs torch): ``net`` (:class:`~coinnet.model.net.CoinNet`, pure torch: timm backbone + five
attention heads, normalisation inside ``forward``), ``lit`` (the thin LightningModule built from plain values,
so ``load_from_checkpoint`` needs no Hydra) and ``export`` (checkpoint -> self-describing ONNX file).
"""
