"""Turn a height map into struck, coloured, worn and soiled metal under a directional light."""

from __future__ import annotations

import cv2
import numpy as np

# Base metal colours (linear-ish RGB in 0..1), picked by eye from the real photos.
SURFACES = {
    "red": ((0.92, 0.45, 0.20), 0.25),
    "red_brown": ((0.72, 0.36, 0.18), 0.25),
    "brown": ((0.48, 0.29, 0.17), 0.2),
    "dark": ((0.26, 0.16, 0.11), 0.08),
    "gold": ((0.95, 0.66, 0.30), 0.2),
    "pale": ((0.85, 0.62, 0.48), 0.07),
}
TONES = ((0.55, 0.35, 0.6), (0.35, 0.55, 0.45), (0.35, 0.45, 0.7), (0.75, 0.45, 0.5))
STEEL = (0.72, 0.72, 0.74)
# How the coin is lit: one lamp (a phone or desk photo), or a microscope's ring light or coaxial (through-the-lens)
# light, which look nothing alike on raised lettering (see ``_light_terms``).
LIGHTINGS = ("lamp", "ring", "coaxial")


def pick_metal(rng: np.random.Generator, year: int, toning_prob: float) -> np.ndarray:
    """Base colour of the coin: copper shades, 1943 zinc-coated steel, optional toning."""
    if year == 1943:
        colour = np.array(STEEL) * rng.uniform(0.6, 1.1)
    else:
        names = list(SURFACES)
        weights = np.array([SURFACES[n][1] for n in names])
        colour = np.array(SURFACES[names[rng.choice(len(names), p=weights / weights.sum())]][0])
        colour = colour * rng.uniform(0.85, 1.12, 3)
        if rng.random() < toning_prob:
            colour = colour * (1 - (t := rng.uniform(0.15, 0.45))) + np.array(TONES[rng.integers(len(TONES))]) * t
    return np.clip(colour, 0.03, 1.0).astype(np.float32)


def light_direction(rng: np.random.Generator, elevation_deg: float) -> np.ndarray:
    """Unit vector towards the light (z towards the camera), random azimuth."""
    az = rng.uniform(0, 2 * np.pi)
    el = np.deg2rad(elevation_deg)
    return np.array([np.cos(el) * np.cos(az), np.cos(el) * np.sin(az), np.sin(el)], np.float32)


def shade(
    height: np.ndarray,
    slope_scale: float,
    metal: np.ndarray,
    light: np.ndarray,
    proof: bool,
    rng: np.random.Generator,
    wear: float,
    lettering: np.ndarray,
    px_per_unit: float,
    lighting: str = "lamp",
) -> np.ndarray:
    """Render the coin surface as float32 RGB (H, W, 3).

    Args:
        height: relief (relief units) in output pixels.
        slope_scale: relief units per pixel converted to a slope (height unit size / pixel size).
        metal: base RGB colour.
        light: unit light vector.
        proof: mirror field with frosted devices instead of a lustrous business strike.
        rng: the sample's generator.
        wear: 0..1, brightens worn high points and darkens recesses.
        lettering: 0..1 coverage of raised letters and digits; their tops catch light differently from the
            field (lustre, rubbing, toning), which keeps small dates legible as they are in photos.
        px_per_unit: output pixels per coin radius, so grime hugs the relief at a physical width.
        lighting: one of ``LIGHTINGS``; ``light``'s elevation is the ring's for ``ring``.
    """
    k = slope_scale / 8  # Sobel's 3x3 weights sum to 8 per unit slope
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3, scale=k)
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3, scale=k)
    diffuse, spec_dot = _light_terms(gx, gy, light, lighting)
    if proof:
        frost = np.clip(height * 6.0, 0, 1)
        field_level = rng.uniform(0.04, 0.25)  # the mirror shows the dark lens surround
        devices = rng.uniform(0.7, 1.2) * (0.25 + 1.0 * diffuse)
        lum = field_level + (devices - field_level) * frost
        spec = cv2.pow(spec_dot, 60) * (1 - frost) * rng.uniform(0.0, 0.8)
    else:
        # Struck copper is metallic: dim away from the light, bright broad lustre towards it.
        ambient = rng.uniform(0.1, 0.3)
        lum = ambient + rng.uniform(0.6, 1.0) * diffuse
        shin = rng.uniform(4, 30)
        spec = cv2.pow(spec_dot, shin) * rng.uniform(0.2, 0.9)
    if not proof:
        lum = lum * (1 + rng.choice([-1, 1]) * rng.uniform(0.1, 0.45) * np.minimum(lettering, 1))
    # Toning and grime collect in the corners beside the relief; rubbed high points show brighter metal.
    cavity = np.clip(cv2.GaussianBlur(height, (0, 0), float(np.clip(0.006 * px_per_unit, 0.5, 3))) - height, 0, 1)
    lum = lum * (1 - rng.uniform(0.5, 2.5) * cavity)
    if wear > 0:
        lum = lum * (1 + 0.5 * wear * np.clip(height - 0.3, 0, 1))
    tint = 0.7 * metal + 0.3  # copper reflects coloured highlights
    return cv2.merge([lum * float(metal[c]) + spec * float(tint[c]) for c in range(3)])


def _light_terms(gx: np.ndarray, gy: np.ndarray, light: np.ndarray, lighting: str) -> tuple[np.ndarray, np.ndarray]:
    """Lambert term and the cosine that the specular power is taken of, from the relief's gradients.

    Lambert and Blinn-Phong come straight from the gradients (n = (-gx, -gy, 1) / |.|): fewer temporaries than
    building the normal field, which matters at ~4 ms a sample.
    - ``lamp``: one light along ``light``; one side of each letter bright, the other dark.
    - ``ring``: lamps all round at ``light``'s elevation. Averaged over the ring, the Lambert term loses its
      direction; the highlight lands on every wall tilted half-way towards the ring, so letters get bright rims.
    - ``coaxial``: light down the lens: the flat field is a bright mirror, every wall dark, so digits read as
      dark outlines.
    """
    inv = 1.0 / np.sqrt(gx * gx + gy * gy + 1.0)
    lx, ly, lz = (float(v) for v in light)
    if lighting == "coaxial":
        return inv, inv
    if lighting == "ring":
        tilt = (np.pi / 2 - float(np.arcsin(np.clip(lz, -1, 1)))) / 2
        walls = np.arctan(np.sqrt(gx * gx + gy * gy))
        return lz * inv, np.maximum(np.cos(np.minimum(np.abs(walls - tilt) * 2, np.pi / 2)), 0).astype(np.float32)
    if lighting != "lamp":
        raise ValueError(f"unknown lighting {lighting!r}; expected one of {LIGHTINGS}")
    diffuse = np.maximum((lz - lx * gx - ly * gy) * inv, 0)
    hx, hy, hz = lx, ly, lz + 1.0
    hn = float(np.sqrt(hx * hx + hy * hy + hz * hz))
    return diffuse, np.maximum((hz - hx * gx - hy * gy) * (inv / hn), 0)
