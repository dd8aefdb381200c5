"""Tests of the microscope optics, holder/scene extras and real-surface sampling of the renderer."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from coinnet.render import RenderConfig, render, shading

SIZE = 96
EXTRAS = {
    "microscope_light_prob": 1.0,
    "lustre_prob": 1.0,
    "polish_prob": 1.0,
    "contact_marks_prob": 1.0,
    "depth_of_field_prob": 1.0,
    "holder_extras_prob": 1.0,
    "mat_prob": 1.0,
    "edge_object_prob": 1.0,
}
OFF = {k: 0.0 for k in EXTRAS}


def _bump(size: int = 64) -> np.ndarray:
    """A round plateau with sloping walls: a raised letter's cross-section turned into a disc."""
    yy, xx = np.mgrid[:size, :size].astype(np.float32) - size / 2
    return np.clip((12 - np.hypot(xx, yy)) / 6, 0, 1).astype(np.float32)


def _lum(height: np.ndarray, lighting: str, elevation: float = 40.0) -> np.ndarray:
    rng = np.random.default_rng(0)
    light = np.array([np.cos(np.deg2rad(elevation)), 0.0, np.sin(np.deg2rad(elevation))], np.float32)
    zero = np.zeros_like(height)
    metal = np.array([0.8, 0.5, 0.3], np.float32)
    out = shading.shade(height, 12.0, metal, light, False, rng, 0.0, zero, 100.0, lighting)
    return out.mean(2)


def test_coaxial_light_darkens_walls_and_keeps_the_field_bright():
    lum = _lum(_bump(), "coaxial")
    field, wall, top = lum[4, 4], lum[32, 32 - 9], lum[32, 32]
    assert wall < 0.6 * field and wall < 0.6 * top


def test_ring_light_lights_both_walls_alike_where_one_lamp_does_not():
    ring, lamp = _lum(_bump(), "ring"), _lum(_bump(), "lamp")
    left, right = 32 - 9, 32 + 9  # the walls facing towards and away from the lamp's azimuth (+x)
    assert abs(ring[32, left] - ring[32, right]) < 0.02
    assert abs(lamp[32, left] - lamp[32, right]) > 0.1


def test_unknown_lighting_is_refused():
    with pytest.raises(ValueError, match="unknown lighting 'uv'"):
        _lum(_bump(), "uv")


def test_extras_change_pixels_but_never_the_label_or_geometry():
    on, off = RenderConfig(size=SIZE, holder_prob=1.0, **EXTRAS), RenderConfig(size=SIZE, holder_prob=1.0, **OFF)
    changed = 0
    for i in range(12):
        a, b = render(on, 3, i), render(off, 3, i)
        assert (a.year, a.mint, a.view, a.date_box, a.mint_box, a.angle) == (
            b.year,
            b.mint,
            b.view,
            b.date_box,
            b.mint_box,
            b.angle,
        )
        changed += not np.array_equal(a.image, b.image)
    assert changed == 12


def test_extras_are_deterministic():
    cfg = RenderConfig(size=SIZE, **EXTRAS)
    for i in range(4):
        assert np.array_equal(render(cfg, 8, i).image, render(cfg, 8, i).image)


def test_extras_off_leave_the_main_stream_untouched():
    """Switching every extra off renders exactly what the first generator alone draws (clean is the control)."""
    cfg = RenderConfig(size=SIZE, clean=True, **EXTRAS)
    assert np.array_equal(render(cfg, 2, 5).image, render(RenderConfig(size=SIZE, clean=True), 2, 5).image)


def _photo_folder(tmp_path, n: int = 3):
    rng = np.random.default_rng(0)
    for k in range(n):
        img = (rng.random((60, 80, 3)) * 255).astype(np.uint8)
        cv2.imwrite(str(tmp_path / f"p{k}.png"), img)
    (tmp_path / "notes.txt").write_text("not a photo")
    return tmp_path


def test_real_surface_folder_changes_the_coin_deterministically(tmp_path):
    folder = str(_photo_folder(tmp_path))
    cfg = RenderConfig(size=SIZE, surface_dir=folder, surface_prob=1.0, **OFF)
    plain = RenderConfig(size=SIZE, **OFF)
    a, b, c = render(cfg, 1, 4), render(cfg, 1, 4), render(plain, 1, 4)
    assert np.array_equal(a.image, b.image)
    assert not np.array_equal(a.image, c.image)
    assert (a.year, a.date_box) == (c.year, c.date_box)


def test_real_surface_skips_a_photo_that_does_not_decode(tmp_path):
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg")
    cfg = RenderConfig(size=SIZE, surface_dir=str(tmp_path), surface_prob=1.0, **OFF)
    assert np.array_equal(render(cfg, 1, 4).image, render(RenderConfig(size=SIZE, **OFF), 1, 4).image)


@pytest.mark.parametrize("make", ["missing", "empty"])
def test_bad_surface_folder_is_one_line_naming_it(tmp_path, make):
    folder = tmp_path / "nope" if make == "missing" else tmp_path
    with pytest.raises(ValueError, match=f"surface_dir: {folder}") as err:
        RenderConfig(surface_dir=str(folder))
    assert "\n" not in str(err.value)
