"""Tests of the synthetic renderer: determinism, labels, boxes, angle, config validation, CLI."""

from __future__ import annotations

import numpy as np
import pytest

from coinnet import labels
from coinnet.render import RenderConfig, RenderedCoin, core, render

SIZE = 96


def _diff_bbox(a: np.ndarray, b: np.ndarray, thresh: int = 12) -> tuple[int, int, int, int] | None:
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2)
    ys, xs = np.nonzero(diff > thresh)
    if ys.size == 0:
        return None
    return xs.min(), ys.min(), xs.max() + 1, ys.max() + 1


def test_output_shape_dtype_and_fields():
    s = render(RenderConfig(size=SIZE), seed=1, index=0)
    assert isinstance(s, RenderedCoin)
    assert s.image.shape == (SIZE, SIZE, 3) and s.image.dtype == np.uint8
    assert s.view in ("whole", "closeup")
    assert s.mint in labels.MINTS
    x0, y0, x1, y1 = s.date_box
    assert 0 <= x0 < x1 <= SIZE and 0 <= y0 < y1 <= SIZE
    assert -180 <= s.angle <= 180


def test_deterministic_in_seed_and_index():
    cfg = RenderConfig(size=SIZE)
    a, b = render(cfg, 5, 9), render(cfg, 5, 9)
    assert np.array_equal(a.image, b.image)
    assert (a.year, a.mint, a.date_box, a.mint_box, a.angle) == (b.year, b.mint, b.date_box, b.mint_box, b.angle)
    assert not np.array_equal(a.image, render(cfg, 5, 10).image)
    assert not np.array_equal(a.image, render(cfg, 6, 9).image)


def test_only_valid_pairs_and_year_range():
    cfg = RenderConfig(size=32, year_min=1930, year_max=1960, clean=True)
    seen = [(s.year, s.mint) for s in (render(cfg, 0, i) for i in range(150))]
    assert all(labels.is_valid(y, m) for y, m in seen)
    assert all(1930 <= y <= 1960 for y, _ in seen)
    assert len({y for y, _ in seen}) > 20  # uniform over years: most of the 31 years show up in 150 draws


def test_view_probabilities():
    whole = RenderConfig(size=32, closeup_prob=0.0)
    close = RenderConfig(size=32, closeup_prob=1.0)
    assert {render(whole, 0, i).view for i in range(10)} == {"whole"}
    assert {render(close, 0, i).view for i in range(10)} == {"closeup"}


@pytest.mark.parametrize("closeup_prob", [0.0, 1.0])
def test_date_box_is_tight_around_the_date_ink(monkeypatch, closeup_prob):
    # 1965-67 cents carry no mint mark, so the only thing the date relief adds is the date itself.
    cfg = RenderConfig(
        size=SIZE, year_min=1965, year_max=1967, clean=True, closeup_prob=closeup_prob, whole_coin_frac=[1.0, 1.0]
    )
    for index in range(6):
        with_date = render(cfg, 3, index)
        with monkeypatch.context() as m:
            m.setattr(core, "DATE_RELIEF", 0.0)
            without = render(cfg, 3, index)
        assert with_date.mint == "none" and with_date.mint_box is None
        ink = _diff_bbox(with_date.image, without.image)
        assert ink is not None, "the date left no trace in the image"
        x0, y0, x1, y1 = with_date.date_box
        tol = 2.5  # shading (Sobel normals, sloped letter sides) spreads a pixel or two beyond the ink
        assert x0 - tol <= ink[0] and y0 - tol <= ink[1] and ink[2] <= x1 + tol and ink[3] <= y1 + tol
        # ...and the box is not loose: the ink reaches near every side of it.
        slack = 0.25 * max(x1 - x0, y1 - y0) + tol
        assert ink[0] <= x0 + slack and ink[1] <= y0 + slack and ink[2] >= x1 - slack and ink[3] >= y1 - slack


def test_mint_box_holds_the_ink_outside_the_date(monkeypatch):
    cfg = RenderConfig(size=SIZE, year_min=2017, year_max=2017, clean=True, closeup_prob=1.0, rotation_deg=10.0)
    for index in range(4):
        full = render(cfg, 2, index)
        with monkeypatch.context() as m:
            m.setattr(core, "DATE_RELIEF", 0.0)
            bare = render(cfg, 2, index)
        assert full.mint in ("P", "D", "S") and full.mint_box is not None
        diff = np.abs(full.image.astype(np.int16) - bare.image.astype(np.int16)).max(axis=2) > 12
        yy, xx = np.mgrid[:SIZE, :SIZE]

        def inside(box, tol=2.5, xx=xx, yy=yy):
            return (xx >= box[0] - tol) & (xx < box[2] + tol) & (yy >= box[1] - tol) & (yy < box[3] + tol)

        assert not (diff & ~inside(full.date_box) & ~inside(full.mint_box)).any()
        assert (diff & inside(full.mint_box, 0) & ~inside(full.date_box, 0)).sum() >= 4


def test_angle_follows_rotation():
    upright = RenderConfig(size=64, rotation_deg=0.0, perspective=0.0)
    assert all(abs(render(upright, 0, i).angle) <= 3.5 for i in range(10))
    turned = RenderConfig(size=64, rotation_deg=180.0, perspective=0.0)
    for i in range(10):
        s = render(turned, 0, i)
        delta = (s.angle - s.meta["rotation"] + 180) % 360 - 180
        assert abs(delta) <= 3.5


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"size": 8}, "size"),
        ({"size": 128.0}, "size"),
        ({"closeup_prob": 1.5}, "closeup_prob"),
        ({"year_min": 1900}, "year_min"),
        ({"year_min": 2000, "year_max": 1990}, "year_min"),
        ({"rotation_deg": -1}, "rotation_deg"),
        ({"wear": [0.5, 0.2]}, "wear"),
        ({"jpeg_quality": [30]}, "jpeg_quality"),
        ({"fonts": ["NoSuchFont"]}, "fonts"),
        ({"traced_prob": 1.5}, "traced_prob"),
        ({"traced_prob": -0.1}, "traced_prob"),
        ({"clean": "yes"}, "clean"),
    ],
)
def test_bad_config_values_raise_clear_errors(kwargs, field):
    with pytest.raises(ValueError, match=field):
        RenderConfig(**kwargs)


def test_config_accepts_yaml_style_values():
    cfg = RenderConfig(size=64, wear=(0.1, 0.3), closeup_date_frac=[0.5, 0.6], fonts=["STIXGeneral"])
    assert cfg.wear == [0.1, 0.3]
    assert render(cfg, 0, 0).image.shape == (64, 64, 3)


def test_cli_writes_a_sheet(tmp_path):
    from coinnet.render.__main__ import main

    out = tmp_path / "sheet.png"
    assert main(["--n", "4", "--size", "48", "--out", str(out), "--view", "closeup"]) == 0
    from coinnet.infer.imageio import load_image

    assert load_image(out).shape == (96, 96, 3)
