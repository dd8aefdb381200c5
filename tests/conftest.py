"""Shared fixtures: the real Hydra config, composed and shrunk, and a tiny real-data folder."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from coinnet import env  # noqa: E402

env.apply_offline_defaults()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from tests.helpers.paths import CENTS_WEB, REPO, compose_train_cfg  # noqa: E402,F401 (re-exported for old imports)


@pytest.fixture
def tiny_real_folder(tmp_path: Path) -> Path:
    """A labels.csv folder of 10 rendered coins saved as JPEG, two with partial labels (empty fields)."""
    from PIL import Image

    from coinnet.render import RenderConfig, render

    folder = tmp_path / "real"
    (folder / "images").mkdir(parents=True)
    cfg = RenderConfig(size=96)
    rows = []
    for i in range(10):
        s = render(cfg, seed=123, index=i)
        name = f"images/coin_{i}.jpg"
        Image.fromarray(s.image).save(folder / name, quality=90)
        year = "" if i == 0 else str(s.year)
        mint = "" if i == 1 else s.mint
        rows.append({"file": name, "year": year, "mint": mint, "view": s.view, "legible": "yes", "notes": ""})
    with (folder / "labels.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder
