"""enhance: identity by default, validated knobs, each knob does what it says, input never modified."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from coinnet.infer.enhance import Enhancement, enhance
from tests.helpers.infer import coin_like


def test_identity_returns_an_equal_copy():
    img = coin_like(0)
    out = enhance(img, Enhancement())
    assert out is not img and np.array_equal(out, img)
    assert Enhancement().is_identity and not Enhancement(clahe=1).is_identity


@pytest.mark.parametrize(
    "field,value",
    [
        ("brightness", 1.5),
        ("contrast", 0.1),
        ("clahe", 9),
        ("sharpen", -1),
        ("denoise", 2),
        ("rotate", float("nan")),
        ("contrast", "2"),
    ],
)
def test_invalid_values_name_the_field(field, value):
    with pytest.raises(ValueError, match=field):
        Enhancement(**{field: value})


def test_parse_cli_text():
    assert Enhancement.parse("clahe=2, sharpen=1") == Enhancement(clahe=2.0, sharpen=1.0)
    assert Enhancement.parse("") == Enhancement()
    for bad, name in [("gamma=2", "gamma"), ("clahe", "clahe"), ("sharpen=lots", "sharpen"), ("clahe=99", "clahe")]:
        with pytest.raises(ValueError, match=name):
            Enhancement.parse(bad)


def test_knobs_move_the_image_the_right_way():
    img = coin_like(1, 120, 160)
    before = img.copy()
    assert enhance(img, Enhancement(brightness=0.2)).mean() > img.mean() + 20
    dull = (img // 4 + 100).astype(np.uint8)
    assert enhance(dull, Enhancement(contrast=2.0)).std() > dull.std() * 1.8
    assert enhance(dull, Enhancement(clahe=4)).std() > dull.std() * 1.3
    gray = lambda a: cv2.cvtColor(a, cv2.COLOR_RGB2GRAY)
    sharpness = lambda a: cv2.Laplacian(gray(a), cv2.CV_64F).var()
    assert sharpness(enhance(img, Enhancement(sharpen=2))) > sharpness(img) * 1.5
    assert sharpness(enhance(img, Enhancement(denoise=1))) < sharpness(img) * 0.7
    assert np.array_equal(img, before)  # the caller's array is never modified


def test_rotation():
    img = coin_like(2, 40, 100)
    assert np.array_equal(enhance(img, Enhancement(rotate=90)), np.rot90(img))
    turned = enhance(img, Enhancement(rotate=30))
    assert turned.shape[0] > 40 and turned.shape[1] > 100  # canvas grows, corners are kept
    assert np.array_equal(enhance(img, Enhancement(rotate=360)), img)


def test_rejects_non_rgb_arrays():
    with pytest.raises(ValueError, match="RGB uint8"):
        enhance(np.zeros((8, 8), np.uint8), Enhancement())
