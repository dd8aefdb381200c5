"""Typed, validated knobs of the synthetic cent renderer.

Every field takes only str/int/float/bool/list values so a Hydra/YAML dict can be splatted straight in
(``RenderConfig(**cfg)``). Ranges given as ``[lo, hi]`` are sampled uniformly per image.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from coinnet import labels

VIEWS = ("whole", "closeup")


@dataclass(frozen=True)
class RenderConfig:
    """Renderer settings; ``__post_init__`` raises ``ValueError`` naming the bad field.

    Attributes:
        size: side of the square output image in pixels (32..1024).
        closeup_prob: probability a sample is a date close-up (microscope view) rather than a whole coin.
        year_min: first year that may be drawn (>= 1909).
        year_max: last year that may be drawn (<= 2025).
        rotation_deg: maximum absolute in-plane rotation; the angle is uniform in +-rotation_deg (0..180).
        closeup_date_frac: [lo, hi] width of the date as a fraction of the image width in close-ups.
        whole_coin_frac: [lo, hi] coin diameter as a fraction of the image width in whole views.
        perspective: maximum camera tilt as a fraction of the image (0 = orthographic, up to 0.3).
        proof_prob: probability of a proof strike (mirror field, frosted relief).
        holder_prob: probability a whole coin is photographed inside a plastic holder.
        wear: [lo, hi] wear level, 0 = mint state, 1 = almost smooth (skewed towards lo).
        relief_gain: [lo, hi] multiplier on the relief height (how strongly the light models the design).
        light_elevation_deg: [lo, hi] elevation of the key light above the coin plane (5..90).
        toning_prob: probability of toning (purple/green/blue) on top of the base metal colour.
        soil: maximum strength of dirt, spots and corrosion (0..1).
        scratches_max: maximum number of scratches on the coin.
        blur_sigma_max: maximum defocus blur (Gaussian sigma, in pixels of a 128 px image; scaled with size).
        motion_blur_prob: probability of a short motion blur.
        noise_std_max: maximum sensor noise standard deviation (on a 0..1 intensity scale).
        jpeg_prob: probability of JPEG re-compression.
        jpeg_quality: [lo, hi] JPEG quality when re-compressing (5..100).
        vignette_max: maximum darkening of the image corners (0..1).
        color_cast_max: maximum per-channel gain deviation of the white balance (0..1).
        glare_prob: probability of a specular glare patch (holder or lamp reflection).
        fonts: font file stems to draw dates with (empty = all vendored fonts).
        traced_prob: probability that a sample's date and mint mark use the Lincoln-cent shapes traced from
            photos for its era (``traced.py``) instead of a font from ``fonts``; applies whether or not
            ``fonts`` is given (0 = fonts only).
        microscope_light_prob: probability that a close-up is lit by a microscope's ring light or coaxial light
            (half each) instead of one lamp.
        lustre_prob: probability of cartwheel lustre on a business strike.
        polish_prob: probability of fine die polish lines in the field.
        contact_marks_prob: probability of small bag nicks in the relief.
        depth_of_field_prob: probability that part of a close-up is out of focus (a tilted focal plane or a
            focus stack's seams).
        holder_extras_prob: probability that a holder has prongs and scratched plastic (and half of those a label).
        mat_prob: probability of a gridded mat as the backdrop.
        edge_object_prob: probability of a fingertip or tweezer tips at the frame's edge.
        surface_dir: a folder of real coin photos to borrow surface colour and grain from (``real_surface.py``);
            empty = none. Never a committed folder.
        surface_prob: probability that a sample borrows a real surface when ``surface_dir`` is set.
        clean: switch off every photographic degradation and soiling (for tests and debugging).
    """

    size: int = 128
    closeup_prob: float = 0.5
    year_min: int = labels.YEAR_MIN
    year_max: int = labels.YEAR_MAX
    rotation_deg: float = 180.0
    closeup_date_frac: list = field(default_factory=lambda: [0.4, 0.7])
    whole_coin_frac: list = field(default_factory=lambda: [0.72, 1.0])
    perspective: float = 0.06
    proof_prob: float = 0.25
    holder_prob: float = 0.3
    wear: list = field(default_factory=lambda: [0.0, 0.8])
    relief_gain: list = field(default_factory=lambda: [0.6, 1.6])
    light_elevation_deg: list = field(default_factory=lambda: [25.0, 75.0])
    toning_prob: float = 0.15
    soil: float = 0.5
    scratches_max: int = 8
    blur_sigma_max: float = 1.2
    motion_blur_prob: float = 0.15
    noise_std_max: float = 0.04
    jpeg_prob: float = 0.6
    jpeg_quality: list = field(default_factory=lambda: [30, 95])
    vignette_max: float = 0.5
    color_cast_max: float = 0.2
    glare_prob: float = 0.3
    fonts: list = field(default_factory=list)
    traced_prob: float = 0.6
    microscope_light_prob: float = 0.5
    lustre_prob: float = 0.3
    polish_prob: float = 0.3
    contact_marks_prob: float = 0.3
    depth_of_field_prob: float = 0.3
    holder_extras_prob: float = 0.6
    mat_prob: float = 0.1
    edge_object_prob: float = 0.1
    surface_dir: str = ""
    surface_prob: float = 0.5
    clean: bool = False

    def __post_init__(self) -> None:
        # Hydra hands over ListConfig objects and YAML may give tuples; store plain lists (hashable-safe compare).
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple) or type(value).__name__ == "ListConfig":
                object.__setattr__(self, f.name, list(value))
        _check_int(self, "size", 32, 1024)
        _check_int(self, "year_min", labels.YEAR_MIN, labels.YEAR_MAX)
        _check_int(self, "year_max", labels.YEAR_MIN, labels.YEAR_MAX)
        if self.year_min > self.year_max:
            raise ValueError(f"RenderConfig.year_min ({self.year_min}) must be <= year_max ({self.year_max})")
        # Every probability, and the strengths given as a fraction.
        unit = [f.name for f in fields(self) if f.name.endswith("_prob")] + ["soil", "vignette_max", "color_cast_max"]
        for name in unit:
            _check_float(self, name, 0.0, 1.0)
        _check_float(self, "rotation_deg", 0.0, 180.0)
        _check_float(self, "perspective", 0.0, 0.3)
        _check_float(self, "blur_sigma_max", 0.0, 8.0)
        _check_float(self, "noise_std_max", 0.0, 0.3)
        _check_int(self, "scratches_max", 0, 100)
        _check_range(self, "closeup_date_frac", 0.1, 0.95)
        _check_range(self, "whole_coin_frac", 0.2, 1.2)
        _check_range(self, "wear", 0.0, 1.0)
        _check_range(self, "relief_gain", 0.1, 4.0)
        _check_range(self, "light_elevation_deg", 5.0, 90.0)
        _check_range(self, "jpeg_quality", 5, 100)
        if not isinstance(self.surface_dir, str):
            raise ValueError(f"RenderConfig.surface_dir must be a folder path or empty, got {self.surface_dir!r}")
        if self.surface_dir:
            from coinnet.render.real_surface import listing  # a missing or empty folder fails here, not mid-epoch

            listing(self.surface_dir)
        if not isinstance(self.clean, bool):
            raise ValueError(f"RenderConfig.clean must be a bool, got {self.clean!r}")
        if not isinstance(self.fonts, list) or not all(isinstance(x, str) for x in self.fonts):
            raise ValueError(f"RenderConfig.fonts must be a list of font names, got {self.fonts!r}")
        from coinnet.render.fonts import available_fonts  # late: fonts imports nothing heavy, but keep config lean

        unknown = sorted(set(self.fonts) - set(available_fonts()))
        if unknown:
            raise ValueError(f"RenderConfig.fonts: unknown font(s) {unknown}; available: {available_fonts()}")


def _check_int(cfg: RenderConfig, name: str, lo: int, hi: int) -> None:
    value = getattr(cfg, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"RenderConfig.{name} must be an int, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"RenderConfig.{name} must be in [{lo}, {hi}], got {value}")


def _check_float(cfg: RenderConfig, name: str, lo: float, hi: float) -> None:
    value = getattr(cfg, name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"RenderConfig.{name} must be a number, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"RenderConfig.{name} must be in [{lo}, {hi}], got {value}")


def _check_range(cfg: RenderConfig, name: str, lo: float, hi: float) -> None:
    value = getattr(cfg, name)
    ok = isinstance(value, list) and len(value) == 2
    ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    if not ok:
        raise ValueError(f"RenderConfig.{name} must be a [lo, hi] pair of numbers, got {value!r}")
    if not (lo <= value[0] <= value[1] <= hi):
        raise ValueError(f"RenderConfig.{name} must satisfy {lo} <= lo <= hi <= {hi}, got {value}")
