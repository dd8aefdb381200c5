"""Synthetic Lincoln-cent photos with labels (year, mint, date/mint boxes, date angle).

Public API (imported by the training DataModule; keep stable)::

    from coinnet.render import RenderConfig, RenderedCoin, render
    sample = render(RenderConfig(size=128), seed=0, index=17)

numpy/OpenCV/Pillow only, no torch.
"""

from coinnet.render.config import RenderConfig
from coinnet.render.core import RenderedCoin, render

__all__ = ["RenderConfig", "RenderedCoin", "render"]
