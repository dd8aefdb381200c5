"""Pure-torch localiser: where the date is on a whole photo, which way it runs, how big it is, where the mint is.

A CenterNet-style dense head on a timm backbone (stride-8 and stride-16 features fused at stride 8). Each cell
of the output map holds:

- ``0``: the logit that the date's centre falls in that cell (one peak per photo; no peak: no readable date);
- ``1, 2``: the centre's offset inside the cell, in cells;
- ``3, 4``: sin and cos of the date baseline's angle (0 = upright, counter-clockwise positive);
- ``5``: log of the date's length over the input side;
- ``6, 7``: the mint mark's centre minus the date's, in date lengths (image axes);
- ``8``: the logit that a mint mark is there.

Regression channels are trained only at the true centre cell and its 8 neighbours, so the decoder can read them
at whichever of those cells peaks. Normalisation happens inside ``forward`` so the exported graph carries it.
"""

from __future__ import annotations

import timm
import torch
import torch.nn.functional as F
from torch import nn

from coinnet.model.net import IMAGENET_MEAN, IMAGENET_STD
from coinnet.model.weights import load_backbone_weights, packaged_weights_file

CHANNELS = 9
STRIDE = 8
#: Gaussian radius of the centre heatmap target, in cells.
SIGMA = 0.8


class LocaliserNet(nn.Module):
    """Dense date-finding map, (B, :data:`CHANNELS`, S/8, S/8), from RGB images in [0, 1].

    Args:
        backbone: timm model name (features at stride 8 and 16 are used).
        pretrained: load ImageNet weights from the installed registry package (``coinnet.model.weights``).
        weights_path: a local state dict for the backbone (wins over ``pretrained``).
        input_size: square side the model is trained at; recorded for export.
        width: channels of the fused map.
    """

    def __init__(
        self,
        backbone: str = "tf_efficientnet_lite0",
        pretrained: bool = True,
        weights_path: str | None = None,
        input_size: int = 160,
        width: int = 64,
    ) -> None:
        super().__init__()
        self.backbone_name = backbone
        self.input_size = input_size
        reductions = [info["reduction"] for info in timm.create_model(backbone, features_only=True).feature_info]
        wanted = (reductions.index(8), reductions.index(16))
        self.backbone = timm.create_model(backbone, pretrained=False, features_only=True, out_indices=wanted)
        if weights_path or pretrained:
            load_backbone_weights(self.backbone, backbone, weights_path or packaged_weights_file(backbone))
        c8, c16 = self.backbone.feature_info.channels()
        self.lateral8 = nn.Conv2d(c8, width, 1)
        self.lateral16 = nn.Conv2d(c16, width, 1)
        self.head = nn.Sequential(
            nn.Conv2d(width, width, 3, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(inplace=True),
            nn.Conv2d(width, CHANNELS, 1),
        )
        with torch.no_grad():  # start with a low centre probability everywhere (CenterNet's prior)
            self.head[-1].bias.zero_()
            self.head[-1].bias[0] = -4.0
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        f8, f16 = self.backbone((x - self.mean) / self.std)
        fused = self.lateral8(f8) + F.interpolate(self.lateral16(f16), size=f8.shape[-2:], mode="nearest")
        return self.head(fused)


def encode_targets(targets: torch.Tensor, cells: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Dense targets from per-sample labels.

    Args:
        targets: (B, 8) rows ``has_date, cx, cy, angle_rad, length, mint_dx, mint_dy, has_mint`` with the centre
            and length as fractions of the input side and the mint offset in date lengths (``has_mint`` -1: not
            known, see :func:`localiser_loss`).
        cells: side of the output map.

    Returns:
        heat (B, cells, cells) Gaussian peaks, reg (B, 7, cells, cells) regression targets, and mask
        (B, cells, cells): 1 where the regression is trained (the centre cell and its neighbours).
    """
    b = targets.shape[0]
    grid = torch.arange(cells, dtype=torch.float32)
    gx, gy = grid.view(1, 1, cells), grid.view(1, cells, 1)
    cx, cy = targets[:, 1] * cells - 0.5, targets[:, 2] * cells - 0.5  # cell coordinates of the centre
    has = targets[:, 0].view(b, 1, 1)
    d2 = (gx - cx.view(b, 1, 1)) ** 2 + (gy - cy.view(b, 1, 1)) ** 2
    heat = torch.exp(-d2 / (2 * SIGMA**2)) * has
    mask = ((gx - cx.view(b, 1, 1).round()).abs() <= 1) & ((gy - cy.view(b, 1, 1).round()).abs() <= 1)
    mask = mask.float() * has
    reg = torch.stack(
        [
            cx.view(b, 1, 1) - gx.expand(b, cells, cells),
            cy.view(b, 1, 1) - gy.expand(b, cells, cells),
            torch.sin(targets[:, 3]).view(b, 1, 1).expand(b, cells, cells),
            torch.cos(targets[:, 3]).view(b, 1, 1).expand(b, cells, cells),
            torch.log(targets[:, 4].clamp(min=1e-3)).view(b, 1, 1).expand(b, cells, cells),
            targets[:, 5].view(b, 1, 1).expand(b, cells, cells),
            targets[:, 6].view(b, 1, 1).expand(b, cells, cells),
        ],
        dim=1,
    )
    return heat, reg, mask


def localiser_loss(out: torch.Tensor, targets: torch.Tensor) -> dict[str, torch.Tensor]:
    """CenterNet focal loss on the centre map plus L1 regressions at the centre cells; returns the parts and ``loss``."""
    heat, reg, mask = encode_targets(targets, out.shape[-1])
    p = out[:, 0].sigmoid().clamp(1e-4, 1 - 1e-4)
    pos = (heat > 0.99).float()  # the peak cell itself (exp(-d2) > 0.99 only within ~0.1 cell of the centre)
    peak = heat == heat.flatten(1).max(1).values.view(-1, 1, 1)
    pos = torch.maximum(pos, (peak & (heat > 0)).float())
    focal_pos = -(((1 - p) ** 2) * torch.log(p) * pos).sum()
    focal_neg = -(((1 - heat) ** 4) * (p**2) * torch.log(1 - p) * (1 - pos)).sum()
    n_pos = pos.sum().clamp(min=1.0)
    centre = (focal_pos + focal_neg) / n_pos
    m = mask.unsqueeze(1)
    n_reg = mask.sum().clamp(min=1.0)
    offset = ((out[:, 1:3] - reg[:, 0:2]).abs() * m).sum() / n_reg
    angle = ((out[:, 3:5] - reg[:, 2:4]).abs() * m).sum() / n_reg
    size = ((out[:, 5:6] - reg[:, 4:5]).abs() * m).sum() / n_reg
    # has_mint: 1 a mint mark at (mint_dx, mint_dy), 0 none, -1 not known (a real photo's pseudo-box): untrained.
    has_mint = targets[:, 7].view(-1, 1, 1, 1)
    known, present = (has_mint >= 0).float(), has_mint.clamp(min=0.0)
    mint_place = ((out[:, 6:8] - reg[:, 5:7]).abs() * m * present).sum() / (m * present).sum().clamp(min=1.0)
    mint_logit = out[:, 8:9]
    mint_present = (
        F.binary_cross_entropy_with_logits(mint_logit, present.expand_as(mint_logit), reduction="none") * m * known
    ).sum() / (m * known).sum().clamp(min=1.0)
    loss = centre + offset + 2 * angle + size + mint_place + 0.5 * mint_present
    return {
        "loss": loss,
        "centre": centre,
        "offset": offset,
        "angle": angle,
        "size": size,
        "mint": mint_place + mint_present,
    }
