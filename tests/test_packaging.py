"""What a non-editable install gets: the Hydra tree (so it can train) and the shipped model, as package data."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.helpers.paths import REPO


@pytest.mark.slow
def test_the_wheel_carries_the_config_tree_and_the_shipped_model(tmp_path):
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path)]
    out = subprocess.run([*build, str(REPO)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    (wheel,) = tmp_path.glob("coinnet-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    conf = {str(p.relative_to(REPO)) for p in (REPO / "conf").rglob("*.yaml")}
    assert conf and {f"coinnet/{c}" for c in conf} <= names
    assert {"coinnet/infer/models/default.onnx", "coinnet/train/__main__.py", "coinnet/infer/predictor.py"} <= names
    assert not any(n.startswith(("tests/", "scripts/")) for n in names)
