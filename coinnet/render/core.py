"""``render(cfg, seed, index)``: one labelled synthetic photo of a Lincoln cent.

Pipeline: draw a label -> lay out the date/mint on the coin -> frame the camera (whole coin or date
close-up) -> warp the cached base relief and the date/mint strips straight into the output frame (so a
close-up never renders what it crops away) -> wear, scratches -> shade as metal under a light -> soil ->
background/holder -> camera defects -> uint8. Everything random comes from one generator seeded by
(seed, index), so a sample is a pure function of its arguments.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import cv2
import numpy as np

from coinnet.render import camera as cam
from coinnet.render import layout, microscope, real_surface, relief, scene, shading, surface
from coinnet.render.config import RenderConfig

# Physical relief height of one relief unit, in coin radii (a cent's relief is ~0.1 mm on a 9.5 mm radius,
# exaggerated a little because photos are lit to show the design).
RELIEF_UNIT = 0.03
DATE_RELIEF = 0.6  # set to 0 (tests do) to render a sample without its date and mint ink


@dataclass
class RenderedCoin:
    """One synthetic sample and its labels (boxes and angle refer to ``image``)."""

    image: np.ndarray
    year: int
    mint: str
    view: str
    date_box: tuple[float, float, float, float]
    mint_box: tuple[float, float, float, float] | None
    angle: float
    meta: dict = field(default_factory=dict)


def _warp_strip(strip: relief.Strip, to_out: np.ndarray, size: int) -> np.ndarray:
    """Warp a strip's height map into the output, pre-shrinking it so the warp never aliases."""
    scale = np.sqrt(abs(np.linalg.det(to_out[:2, :2]))) / max(abs(to_out[2, 2]), 1e-9)
    src = strip.height
    if scale < 0.5:
        f = 2 * scale
        small = cv2.resize(
            src, (max(2, round(src.shape[1] * f)), max(2, round(src.shape[0] * f))), interpolation=cv2.INTER_AREA
        )
        fx, fy = small.shape[1] / src.shape[1], small.shape[0] / src.shape[0]
        to_out = to_out @ np.diag([1 / fx, 1 / fy, 1.0])
        src = small
    return cv2.warpPerspective(src, to_out, (size, size), flags=cv2.INTER_LINEAR, borderValue=0)


def _warp_base(variant: int, coin_to_out: np.ndarray, size: int, px_per_unit: float) -> np.ndarray:
    """Warp the mip level of the base relief nearest above the output resolution."""
    pyramid = relief.base_relief(variant)
    base_ppu = relief.BASE_PX / (2 * relief.EXTENT)
    level = int(np.clip(np.floor(np.log2(base_ppu / max(px_per_unit, 1e-6))), 0, len(pyramid) - 1))
    src = pyramid[level]
    level_to_coin = np.linalg.inv(relief.coin_to_base()) @ np.diag([2.0**level, 2.0**level, 1.0])
    return cv2.warpPerspective(
        src, coin_to_out @ level_to_coin, (size, size), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0)
    )


def _frame(
    cfg: RenderConfig,
    rng: np.random.Generator,
    closeup: bool,
    date_pl: layout.Placement,
    mint_pl: layout.Placement | None,
) -> tuple[np.ndarray, float, float]:
    """Pick the camera (scale, rotation, offset, tilt) for a whole coin or a date close-up."""
    size = cfg.size
    rot = rng.uniform(-cfg.rotation_deg, cfg.rotation_deg)
    persp = rng.uniform(-cfg.perspective, cfg.perspective, 2)
    date_pts = layout.ink_corners(date_pl)
    group = date_pts if mint_pl is None else np.vstack([date_pts, layout.ink_corners(mint_pl)])
    if closeup:
        date_w = np.linalg.norm(date_pts[1] - date_pts[0])
        ppu = rng.uniform(*cfg.closeup_date_frac) * size / date_w
        look_at = (group.min(0) + group.max(0)) / 2
    else:
        ppu = rng.uniform(*cfg.whole_coin_frac) * size / 2
        look_at = np.zeros(2)
    # Shift the look-at point as far as the date/mint group still fits inside the frame (with a margin).
    c, s = np.cos(np.deg2rad(rot)), np.sin(np.deg2rad(rot))
    rel = (group - look_at) @ (ppu * np.array([[c, s], [-s, c]])).T
    fit = (0.5 - 0.04 - np.abs(persp).max()) * size / max(np.abs(rel).max(), 1e-6)
    if fit < 1:  # a turned close-up whose date and mint would not fit: zoom out until they do
        ppu, rel = ppu * fit, rel * fit
    room = size / 2 - np.abs(rel).max(0) - (0.06 + np.abs(persp).max()) * size
    if not closeup:
        room = np.minimum(room, max(0.03 * size, (1 - ppu * 2 / size) * size / 2 + 0.03 * size))
    shift = rng.uniform(-1, 1, 2) * np.maximum(room, 0)
    return layout.camera(size, ppu, rot, look_at, shift, persp), ppu, rot


def _coin_polar(h: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Each output pixel's distance from the coin centre (coin radii) and angle round it, in the coin's frame."""
    yy, xx = np.mgrid[:size, :size].astype(np.float32)
    p = np.linalg.inv(h) @ np.stack([xx.ravel(), yy.ravel(), np.ones(xx.size, np.float32)])
    x, y = (p[0] / p[2]).reshape(size, size), (p[1] / p[2]).reshape(size, size)
    return np.hypot(x, y).astype(np.float32), np.arctan2(y, x).astype(np.float32)


def _box(h: np.ndarray, pl: layout.Placement, size: int) -> tuple[float, float, float, float]:
    pts = layout.project(h, layout.ink_corners(pl))
    x0, y0 = np.clip(pts.min(0), 0, size)
    x1, y1 = np.clip(pts.max(0), 0, size)
    return float(x0), float(y0), float(x1), float(y1)


def render(cfg: RenderConfig, seed: int, index: int) -> RenderedCoin:
    """Render sample ``index`` of the stream ``seed``: deterministic in (cfg, seed, index)."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index) & 0xFFFFFFFF, 0xC01])
    # Effects added later draw from a second stream, so that switching them off renders exactly as before.
    extra = np.random.default_rng([int(seed) & 0xFFFFFFFF, int(index) & 0xFFFFFFFF, 0xC02])
    messy = not cfg.clean
    size = cfg.size
    year, mint = layout.sample_label(rng, cfg.year_min, cfg.year_max)
    closeup = bool(rng.random() < cfg.closeup_prob)
    pool = layout.font_pool(cfg.fonts)
    date_pl, mint_pl = layout.place_date_and_mint(
        year, mint, rng, pool, distort=rng.uniform(0.3, 1.0), traced_prob=cfg.traced_prob
    )
    h, ppu, rot = _frame(cfg, rng, closeup, date_pl, mint_pl)

    variant = int(rng.integers(4))
    base = _warp_base(variant, h, size, ppu * abs(h[2, 2]))
    height, alpha, lettering = base[..., 0], base[..., 1], base[..., 2]
    date_ink = _warp_strip(date_pl.strip, h @ date_pl.to_coin, size)
    if mint_pl is not None:
        date_ink = date_ink + _warp_strip(mint_pl.strip, h @ mint_pl.to_coin, size)
    date_ink *= DATE_RELIEF / 0.6  # the lettering channel is normalised to 1 for full-height letters
    height = height + 0.6 * date_ink
    lettering = lettering + date_ink

    wear = cfg.wear[0] + (cfg.wear[1] - cfg.wear[0]) * rng.random() ** 1.5 if messy else 0.0  # skew: most are fine
    if wear > 0.05:
        sigma = wear * 0.012 * ppu
        if sigma > 0.3:
            height = cv2.GaussianBlur(height, (0, 0), sigma)
        height = np.minimum(height, 1.2 - 0.55 * wear)
    if messy and cfg.scratches_max > 0:
        surface.scratch(height, rng, int(cfg.scratches_max * rng.random() ** 2 + 0.5))  # most coins: few
    if messy and extra.random() < cfg.polish_prob:
        microscope.polish_lines(height, extra)
    if messy and extra.random() < cfg.contact_marks_prob:
        microscope.contact_marks(height, extra, ppu)
    proof = bool(rng.random() < cfg.proof_prob)
    metal = shading.pick_metal(rng, year, cfg.toning_prob if messy else 0.0)
    light = shading.light_direction(rng, rng.uniform(*cfg.light_elevation_deg))
    slope = RELIEF_UNIT * rng.uniform(*cfg.relief_gain) * ppu
    lighting = "lamp"
    if closeup and messy and extra.random() < cfg.microscope_light_prob:
        lighting = "ring" if extra.random() < 0.5 else "coaxial"
    coin = shading.shade(height, slope, metal, light, proof, rng, wear, lettering, ppu, lighting)
    polar = functools.cache(lambda: _coin_polar(h, size))  # only lustre and holders need it
    if messy and not proof and extra.random() < cfg.lustre_prob:
        coin = microscope.cartwheel(coin, extra, polar()[1])
    if messy and cfg.surface_dir and extra.random() < cfg.surface_prob:
        coin = real_surface.apply(coin, extra, cfg.surface_dir)
    if messy:
        coin = surface.soil(coin, rng, rng.uniform(0, cfg.soil) * (0.3 if proof else 1.0), year >= 1982)

    img = cam.background(rng, size, closeup)
    if messy and extra.random() < cfg.mat_prob:
        img = scene.mat(extra, size)
    holder = not closeup and messy and rng.random() < cfg.holder_prob
    holder_extras = holder and extra.random() < cfg.holder_extras_prob
    if holder:
        outer = scene.holder_ring(rng, polar()[0], img, alpha)
        if holder_extras and extra.random() < 0.5:
            scene.label(extra, img)
    img += alpha[..., None] * (coin - img)
    if holder_extras:
        scene.prongs(extra, *polar(), img, outer)
        scene.plastic_scratches(extra, img)
    if messy and extra.random() < cfg.edge_object_prob:
        scene.edge_object(extra, img)

    if messy:
        if closeup and extra.random() < cfg.depth_of_field_prob:
            img = microscope.depth_of_field(img, extra)
        img = _photograph(cfg, rng, img, closeup)
    img *= 255
    img += 0.5
    out = np.clip(img, 0, 255, out=img).astype(np.uint8)
    if messy and rng.random() < cfg.jpeg_prob:
        out = cam.jpeg(out, int(rng.integers(cfg.jpeg_quality[0], cfg.jpeg_quality[1] + 1)))

    base_line = date_pl.strip.baseline
    ends = layout.project(h @ date_pl.to_coin, np.array([[base_line[0], base_line[1]], [base_line[2], base_line[1]]]))
    dx, dy = ends[1] - ends[0]
    return RenderedCoin(
        image=out,
        year=year,
        mint=mint,
        view="closeup" if closeup else "whole",
        date_box=_box(h, date_pl, size),
        mint_box=None if mint_pl is None else _box(h, mint_pl, size),
        angle=float(np.degrees(np.arctan2(-dy, dx))),
        meta={
            "proof": proof,
            "wear": wear,
            "variant": variant,
            "rotation": rot,
            "font": date_pl.strip.font,  # a vendored font stem or a traced face (traced.FACES)
            "date_line": [[float(v) for v in ends[0]], [float(v) for v in ends[1]]],
            # The date's ink rectangle in the image: top-left, top-right, bottom-right, bottom-left of the date.
            "date_quad": layout.project(h, layout.ink_corners(date_pl)).round(2).tolist(),
        },
    )


def _photograph(cfg: RenderConfig, rng: np.random.Generator, img: np.ndarray, closeup: bool) -> np.ndarray:
    """Camera defects on the float RGB image."""
    size = cfg.size
    if rng.random() < cfg.glare_prob:
        cam.glare(rng, img)
    sigma = cfg.blur_sigma_max * rng.random() ** 2 * size / 128  # most photos are sharp, a few soft
    if sigma > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    if rng.random() < cfg.motion_blur_prob:
        img = cv2.filter2D(img, -1, cam.motion_kernel(rng, rng.uniform(2, 6) * size / 128))
    cast = cfg.color_cast_max * (2.0 if closeup and rng.random() < 0.4 else 1.0)  # microscope LED tints
    gain = (1 + rng.uniform(-cast, cast, 3)) * rng.uniform(0.85, 1.2)  # white balance and exposure
    if cfg.vignette_max > 0:
        img *= cam.vignette(rng, size, rng.uniform(0, cfg.vignette_max))[..., None] * gain.astype(np.float32)
    else:
        img *= gain.astype(np.float32)
    noise = rng.uniform(0, cfg.noise_std_max)
    if noise > 0.002:
        img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(noise)
    return img
