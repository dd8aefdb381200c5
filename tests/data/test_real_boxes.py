"""Pseudo-boxes: only right readings give one, they survive a CSV round trip, and a turned sample keeps its box."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from coinnet.data.real_boxes import RealBox, pseudo_boxes, read_boxes, real_sample, real_set, write_boxes
from coinnet.model.localiser import localiser_loss


@dataclass
class Truth:
    path: str
    year: int | None
    mint: str | None


class FakeReader:
    """Reads every photo as 1950-D at confidence 0.9 with the date's rectangle around (40, 20)."""

    def predict_paths(self, paths):
        quad = ((30.0, 18.0), (50.0, 18.0), (50.0, 22.0), (30.0, 22.0))
        return [SimpleNamespace(year=1950, mint="D", confidence=0.9, quad=quad, angle=0.0) for _ in paths]


def test_only_readings_of_the_known_label_give_boxes(tmp_path):
    truths = [
        Truth("a.jpg", 1950, "D"),
        Truth("b.jpg", 1950, None),  # mint not legible: the year decides
        Truth("c.jpg", 1951, "D"),  # misread: no box
        Truth("d.jpg", 1950, "S"),  # misread mint: no box
        Truth("e.jpg", None, None),  # no legible year: not tried
    ]
    rows, tried = pseudo_boxes(FakeReader(), truths)
    assert tried == 4 and [r["file"] for r in rows] == ["a.jpg", "b.jpg"]
    assert rows[0]["cx"] == 40.0 and rows[0]["cy"] == 20.0 and rows[0]["length"] == 20.0
    assert pseudo_boxes(FakeReader(), truths, min_confidence=0.95)[0] == []


def test_boxes_round_trip_with_paths_relative_to_the_csv(tmp_path):
    (tmp_path / "photos").mkdir()
    photo = tmp_path / "photos" / "a.jpg"
    rows = [{"file": str(photo), "cx": 1.5, "cy": 2.0, "angle": -30.0, "length": 12.0, "year": 1950, "mint": "D",
             "confidence": 0.9}]  # fmt: skip
    write_boxes(tmp_path / "out" / "boxes.csv", rows) if (tmp_path / "out").mkdir() is None else None
    assert "../photos/a.jpg" in (tmp_path / "out" / "boxes.csv").read_text()
    (box,) = read_boxes(tmp_path / "out" / "boxes.csv")
    assert box == RealBox(str(photo.resolve()), 1.5, 2.0, -30.0, 12.0)
    (tmp_path / "bad.csv").write_text("file,cx,cy,angle,length\na.jpg,1,2,x,4\n")
    with pytest.raises(ValueError, match="bad.csv:2"):
        read_boxes(tmp_path / "bad.csv")


def _bar_photo(h: int, w: int, box: RealBox) -> np.ndarray:
    """A dark photo with a bright bar along the box's baseline and a dot above its centre (the digits' tops)."""
    import cv2

    image = np.zeros((h, w, 3), np.uint8)
    a = np.deg2rad(box.angle)
    u, n = np.array([np.cos(a), -np.sin(a)]), np.array([np.sin(a), np.cos(a)])  # along, and towards the bottom
    c = np.array([box.cx, box.cy])
    ends = [tuple(int(v) for v in c + s * box.length / 2 * u) for s in (-1, 1)]
    cv2.line(image, ends[0], ends[1], (255, 255, 255), 16)
    cv2.circle(image, tuple(int(v) for v in c - 0.4 * box.length * n), 14, (255, 0, 0), -1)
    return image


@pytest.mark.parametrize("index", range(6))
def test_a_turned_sample_keeps_the_date_where_its_target_says(index):
    box = RealBox("p.jpg", 150.0, 220.0, 25.0, 120.0)
    sample, t = real_sample(_bar_photo(300, 400, box), box, 128, seed=3, index=index)
    assert t[0] == 1.0 and t[7] == -1.0  # a date; the mint's place not known
    size = 128
    c = t[1:3] * size
    a = t[3]
    u, n = np.array([np.cos(a), -np.sin(a)]), np.array([np.sin(a), np.cos(a)])
    half = t[4] * size / 2

    def pixel(p):
        x, y = np.clip(np.round(p).astype(int), 0, size - 1)
        return sample[y, x].astype(int)

    for s in (-0.6, 0.0, 0.6):  # on the bar
        assert pixel(c + s * half * u).min() > 120
    assert pixel(c - 0.8 * half * n)[0] > 120 and pixel(c - 0.8 * half * n)[2] < 60  # the dot above: upright
    assert pixel(c + 0.8 * half * n).max() < 100  # nothing below


def test_real_set_decodes_each_photo_once_and_makes_copies(tmp_path):
    box = RealBox(str(tmp_path / "p.png"), 150.0, 220.0, 25.0, 120.0)
    Image.fromarray(_bar_photo(300, 400, box)).save(box.file)
    images, targets = real_set([box], 64, seed=1, copies=3)
    assert images.shape == (3, 64, 64, 3) and targets.shape == (3, 9)
    assert len({round(float(a), 3) for a in targets[:, 3]}) == 3  # three different turns


def test_an_unknown_mint_trains_no_mint_channel():
    target = torch.tensor([[1, 0.5, 0.5, 0.3, 0.2, 0.0, 0.0, -1.0]])
    out = torch.randn(1, 9, 16, 16)
    other = out.clone()
    other[:, 6:9] += 5.0
    assert localiser_loss(out, target)["loss"] == pytest.approx(float(localiser_loss(other, target)["loss"]))
    target[0, 7] = 1.0  # known: the mint channels count
    assert localiser_loss(out, target)["loss"] != pytest.approx(float(localiser_loss(other, target)["loss"]))
