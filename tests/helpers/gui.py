"""Files the desktop-app tests need: a tiny exported model and rendered coin photos."""

from __future__ import annotations

from pathlib import Path


def export_tiny_model(path: Path) -> Path:
    """The smallest real CoinNet, exported with the project's exporter (torch in the test process only)."""
    if not path.exists():
        import torch

        from coinnet.model.export import export_onnx
        from coinnet.model.net import CoinNet

        torch.manual_seed(0)
        torch.set_num_threads(1)
        export_onnx(CoinNet(backbone="mobilenetv3_small_050", input_size=64), path)
    return path


def write_coin_images(folder: Path, count: int, size: int = 96) -> list[Path]:
    """Rendered cents saved as PNG/JPEG alternately (real decoding, several formats)."""
    from PIL import Image

    from coinnet.render import RenderConfig, render

    folder.mkdir(parents=True, exist_ok=True)
    cfg = RenderConfig(size=size)
    paths = []
    for i in range(count):
        path = folder / f"coin_{i:03d}.{'png' if i % 2 else 'jpg'}"
        Image.fromarray(render(cfg, seed=7, index=i).image).save(path)
        paths.append(path)
    return paths
