"""Pure-torch model: a timm backbone with one classification head per year digit and one for the mint.

Built from plain values (no Hydra) so that Lightning checkpoints and the ONNX export need nothing else.
The input is RGB float in [0, 1], NCHW; ImageNet normalisation happens inside :meth:`CoinNet.forward`
so the exported graph carries it and the predictor only has to resize and scale to [0, 1].
"""

from __future__ import annotations

import timm
import torch
import torch.nn.functional as F
from torch import nn

from coinnet import labels
from coinnet.model.weights import load_backbone_weights, packaged_weights_file

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class AttentionHeads(nn.Module):
    """One learned spatial attention map per head over a feature map, then a classifier per head.

    Global average pooling forgets *where* a feature is, yet ``digit2`` and ``digit3`` differ only by position;
    each head here pools the places it chooses. Two coordinate channels let a map use position as well as content.
    """

    def __init__(self, channels: int, classes: tuple[int, ...], dropout: float) -> None:
        super().__init__()
        self.attend = nn.Conv2d(channels + 2, len(classes), kernel_size=1)
        self.dropout = nn.Dropout(dropout)
        self.classify = nn.ModuleList(nn.Linear(channels, n) for n in classes)

    def forward(self, feats: torch.Tensor) -> tuple[list[torch.Tensor], torch.Tensor]:
        """Per-head logits and the attention maps (B, heads, H*W) they pooled with."""
        b, _, h, w = feats.shape
        ys = torch.linspace(-1.0, 1.0, h, device=feats.device, dtype=feats.dtype).view(1, 1, h, 1).expand(b, 1, h, w)
        xs = torch.linspace(-1.0, 1.0, w, device=feats.device, dtype=feats.dtype).view(1, 1, 1, w).expand(b, 1, h, w)
        weights = self.attend(torch.cat([feats, ys, xs], dim=1)).flatten(2).softmax(dim=-1)  # (B, heads, HW)
        pooled = torch.einsum("bkn,bcn->bkc", weights, feats.flatten(2))  # (B, heads, C)
        return [head(self.dropout(pooled[:, k])) for k, head in enumerate(self.classify)], weights


class CoinNet(nn.Module):
    """Backbone + five heads (``digit0..digit3``, ``mint``).

    The backbone's last two feature levels (strides 16 and 32) are fused at stride 16, so a 128 px input keeps an
    8x8 map: enough to tell the four digits apart by place.

    Args:
        backbone: timm model name, e.g. ``mobilenetv3_small_100`` (any model with ``features_only`` support).
        pretrained: start from the ImageNet weights an installed registry package ships for ``backbone``
            (:mod:`coinnet.model.weights`; no hub is ever asked).
        weights_path: a local ``.pth``/``.safetensors`` state dict for the backbone (wins over ``pretrained``).
        dropout: dropout before the heads.
        input_size: square side the model is trained at; recorded for export.
        width: channels of the fused feature map the heads read.
    """

    def __init__(
        self,
        backbone: str = "mobilenetv3_small_100",
        pretrained: bool = False,
        weights_path: str | None = None,
        dropout: float = 0.1,
        input_size: int = 128,
        width: int = 128,
    ) -> None:
        super().__init__()
        self.backbone_name = backbone
        self.input_size = input_size
        self.backbone = timm.create_model(backbone, pretrained=False, features_only=True, out_indices=(-2, -1))
        if weights_path or pretrained:
            load_backbone_weights(self.backbone, backbone, weights_path or packaged_weights_file(backbone))
        c16, c32 = self.backbone.feature_info.channels()[-2:]
        self.fuse = nn.Sequential(nn.Conv2d(c16 + c32, width, 1, bias=False), nn.BatchNorm2d(width), nn.Hardswish())
        classes = (labels.DIGIT_CLASSES,) * labels.NUM_DIGITS + (len(labels.MINTS),)
        self.heads = AttentionHeads(width, classes, dropout)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor, with_attention: bool = False) -> tuple[torch.Tensor, ...]:
        """Logits for ``digit0..digit3`` (B, 10) and ``mint`` (B, 5) from images in [0, 1].

        With ``with_attention`` a sixth output holds each head's attention map, (B, 5, H, W) summing to 1 per
        head: where the model read each digit and the mint mark (trained against the renderer's positions).
        """
        f16, f32 = self.backbone((x - self.mean) / self.std)
        up = F.interpolate(f32, size=f16.shape[-2:], mode="nearest")
        logits, weights = self.heads(self.fuse(torch.cat([f16, up], dim=1)))
        if with_attention:
            return (*logits, weights.view(x.shape[0], len(logits), *f16.shape[-2:]))
        return tuple(logits)
