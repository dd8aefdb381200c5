"""Pure-torch model: a timm backbone with one classification head per year digit and one for the mint.

Built from plain values (no Hydra) so that Lightning checkpoints and the ONNX export need nothing else.
The input is RGB float in [0, 1], NCHW; ImageNet normalisation happens inside :meth:`CoinNet.forward`
so the exported graph carries it and the predictor only has to resize and scale to [0, 1].
"""

from __future__ import annotations

from pathlib import Path

import timm
import torch
from torch import nn

from coinnet import labels

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class CoinNet(nn.Module):
    """Backbone + five heads (``digit0..digit3``, ``mint``).

    Args:
        backbone: timm model name, e.g. ``mobilenetv3_small_100``.
        pretrained: ask timm for its pretrained weights (needs a hub; off by default, no hub is reachable).
        weights_path: local file (``.pth``/``.safetensors`` state dict) loaded into the backbone instead.
        dropout: dropout before the heads.
        input_size: square side the model is trained at; recorded for export.
    """

    def __init__(
        self,
        backbone: str = "mobilenetv3_small_100",
        pretrained: bool = False,
        weights_path: str | None = None,
        dropout: float = 0.1,
        input_size: int = 128,
    ) -> None:
        super().__init__()
        self.backbone_name = backbone
        self.input_size = input_size
        self.backbone = timm.create_model(backbone, pretrained=pretrained, num_classes=0)
        if weights_path:
            load_backbone_weights(self.backbone, weights_path)
        # The pooled width differs from num_features for some families (mobilenetv3/v4, ghostnet), so measure it.
        with torch.no_grad():
            was_training = self.backbone.training
            self.backbone.eval()
            width = self.backbone(torch.zeros(1, 3, 64, 64)).shape[-1]
            self.backbone.train(was_training)
        self.dropout = nn.Dropout(dropout)
        self.digit_heads = nn.ModuleList(nn.Linear(width, labels.DIGIT_CLASSES) for _ in range(labels.NUM_DIGITS))
        self.mint_head = nn.Linear(width, len(labels.MINTS))
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Logits for ``digit0..digit3`` (B, 10) and ``mint`` (B, 5) from images in [0, 1]."""
        feats = self.dropout(self.backbone((x - self.mean) / self.std))
        return (*(head(feats) for head in self.digit_heads), self.mint_head(feats))


def load_backbone_weights(backbone: nn.Module, path: str) -> None:
    """Load a local state dict into ``backbone``; classifier keys that don't fit are skipped."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise FileNotFoundError(f"{file}: backbone weights file not found")
    if file.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(file))
    else:
        state = torch.load(file, map_location="cpu", weights_only=True)
        state = state.get("state_dict", state)
    own = backbone.state_dict()
    usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    if not usable:
        raise ValueError(f"{file}: no tensor matches the backbone {type(backbone).__name__}")
    backbone.load_state_dict(usable, strict=False)
