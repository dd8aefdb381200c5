"""The localiser's targets, loss and decoding agree with each other, and a tiny run trains and exports."""

import numpy as np
import onnxruntime as ort
import pytest
import torch

from coinnet.data.localiser_data import TARGET_COLUMNS, localiser_sample
from coinnet.infer.locate import LOCALISER_FORMAT, proposals
from coinnet.model.localiser import CHANNELS, LocaliserNet, encode_targets, localiser_loss
from coinnet.render import RenderConfig

SIZE = 64


def _ideal_map(target: np.ndarray, cells: int) -> np.ndarray:
    """The map a perfect localiser would output for one target row (logits, so the peak is sharp)."""
    heat, reg, mask = encode_targets(torch.from_numpy(target[None, :8]), cells)
    out = np.zeros((CHANNELS, cells, cells), np.float32)
    out[0] = np.where(heat[0].numpy() > 0, 12 * heat[0].numpy() - 6, -8)
    out[1:8] = reg[0].numpy()
    out[8] = 8.0 if target[7] > 0 else -8.0
    return out


def test_decoding_inverts_the_targets():
    target = np.array([1, 0.3, 0.6, np.deg2rad(-120), 0.2, 0.05, 0.4, 1, 0.06], np.float32)
    found = proposals(_ideal_map(target, 16), 128, top=2)
    assert len(found) == 1
    p = found[0]
    assert p.score > 0.99
    assert p.centre == pytest.approx([0.3 * 128, 0.6 * 128], abs=1e-3)
    assert p.angle == pytest.approx(-120.0, abs=1e-3)
    assert p.length == pytest.approx(0.2 * 128, rel=1e-4)
    assert p.mint == pytest.approx(p.centre + np.array([0.05, 0.4]) * p.length, abs=1e-3)


def test_loss_is_lower_for_the_right_map_and_no_date_has_no_target():
    target = np.array([1, 0.3, 0.6, 0.5, 0.2, 0.0, 0.4, 1, 0.06], np.float32)
    right = torch.from_numpy(_ideal_map(target, 16))[None]
    moved = torch.roll(right, shifts=5, dims=-1)
    t = torch.from_numpy(target[None, :8])
    assert localiser_loss(right, t)["loss"] < 0.2 * localiser_loss(moved, t)["loss"]
    heat, _, mask = encode_targets(torch.zeros(1, 8), 16)
    assert heat.sum() == 0 and mask.sum() == 0


def test_samples_are_pure_and_labelled():
    cfg = RenderConfig(size=SIZE, closeup_prob=0.5)
    a, ta = localiser_sample(cfg, 1, 5, zoom_prob=0.5, negative_prob=0.2)
    b, tb = localiser_sample(cfg, 1, 5, zoom_prob=0.5, negative_prob=0.2)
    assert np.array_equal(a, b) and np.array_equal(ta, tb)
    assert a.shape == (SIZE, SIZE, 3) and ta.shape == (len(TARGET_COLUMNS),)
    rows = np.stack([localiser_sample(cfg, 2, i, 0.3, 0.5)[1] for i in range(24)])
    dated = rows[rows[:, 0] == 1]
    assert 0 < len(dated) < len(rows)  # negatives drawn, and the rest have a date inside the frame
    assert ((dated[:, 1:3] > 0) & (dated[:, 1:3] < 1)).all() and (dated[:, 8] < dated[:, 4]).all()


def test_a_tiny_run_trains_and_exports(tmp_path):
    from PIL import Image

    from coinnet.data.real_boxes import write_boxes
    from coinnet.train.config import compose_config
    from coinnet.train.localiser import train

    Image.fromarray(np.full((90, 120, 3), 128, np.uint8)).save(tmp_path / "real.png")
    box = {"file": tmp_path / "real.png", "cx": 60, "cy": 45, "angle": 10, "length": 30, "year": 1950, "mint": "D"}
    write_boxes(tmp_path / "boxes.csv", [box | {"confidence": 0.9}])

    cfg = compose_config(
        "localiser",
        [
            "model.pretrained=false",
            f"model.input_size={SIZE}",
            "data.train_size=16",
            "data.val_size=8",
            "data.batch_size=8",
            "data.workers=1",
            "trainer.max_epochs=1",
            "trainer.enable_progress_bar=false",
            "logger=none",
            f"paths.run_dir={tmp_path / 'run'}",
            f"data.real_boxes=[{tmp_path / 'boxes.csv'}]",
            "data.real_copies=3",
        ],
    )
    result = train(cfg)
    assert result["max_abs_diff"] < 1e-3 and 0.0 <= result["val/found"] <= 1.0
    assert result["train_samples"] == 16 + 3  # the renders and three turned copies of the real photo
    session = ort.InferenceSession(result["onnx"], providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map
    assert meta["coinnet_format"] == LOCALISER_FORMAT and meta["input_size"] == str(SIZE)
    assert meta["real_boxes"] == "boxes.csv"  # provenance: the pseudo-boxes it saw
    out = session.run(None, {"image": np.zeros((1, 3, SIZE, SIZE), np.float32)})[0]
    assert out.shape == (1, CHANNELS, SIZE // 8, SIZE // 8)
    assert (tmp_path / "run" / "checkpoints" / "last.ckpt").is_file()


def test_net_output_shape():
    net = LocaliserNet(pretrained=False, input_size=SIZE).eval()
    with torch.no_grad():
        assert net(torch.rand(2, 3, SIZE, SIZE)).shape == (2, CHANNELS, SIZE // 8, SIZE // 8)
