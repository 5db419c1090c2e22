"""Per-individual coat textures: a stable field of rosettes on a canonical (unwrapped) body texture."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# The canonical texture is the fur unwrapped around the body: x runs from tail root to head,
# y runs once around the body's circumference. Rows [0, H/2) are the left flank, [H/2, H) the right one.
TEXTURE_W = 256
TEXTURE_H = 160


@dataclass(frozen=True)
class CoatStyle:
    """Individual coat parameters; they overlap between animals, so only the layout is truly unique."""

    fur_rgb: tuple[int, int, int]
    spacing: float
    ring_radius: float
    spots_per_ring: int
    spot_radius: float
    centre_shade: int
    solid_fraction: float


@dataclass(frozen=True)
class Coat:
    """A rendered coat: RGB texture of size (TEXTURE_H, TEXTURE_W) plus the style it came from."""

    style: CoatStyle
    texture: Image.Image


def draw_style(rng: np.random.Generator) -> CoatStyle:
    """Draw the coat parameters of one individual."""
    tone = rng.uniform(150, 192)
    warmth = rng.uniform(-6, 18)
    fur = (int(tone + warmth), int(tone + warmth * 0.5), int(tone - warmth * 0.4))
    ring = float(rng.uniform(6.0, 10.5))
    return CoatStyle(
        fur_rgb=fur,
        spacing=float(ring * rng.uniform(2.3, 3.1)),
        ring_radius=ring,
        spots_per_ring=int(rng.integers(4, 8)),
        spot_radius=float(ring * rng.uniform(0.28, 0.45)),
        centre_shade=int(rng.integers(0, 40)),
        solid_fraction=float(rng.uniform(0.1, 0.45)),
    )


def _rosette_centres(rng: np.random.Generator, spacing: float) -> np.ndarray:
    """Dart-throwing (Poisson-disc like) centres covering the texture with minimum distance `spacing`."""
    target = int(TEXTURE_W * TEXTURE_H / (spacing * spacing) * 1.1)
    candidates = rng.uniform((-4, -4), (TEXTURE_W + 4, TEXTURE_H + 4), size=(target * 12, 2)).tolist()
    grid: dict[tuple[int, int], list[tuple[float, float]]] = {}
    points: list[tuple[float, float]] = []
    min_d2 = spacing * spacing
    for x, y in candidates:
        gx, gy = int(x // spacing), int(y // spacing)
        near = (p for i in (-1, 0, 1) for j in (-1, 0, 1) for p in grid.get((gx + i, gy + j), ()))
        if all((x - px) ** 2 + (y - py) ** 2 >= min_d2 for px, py in near):
            points.append((x, y))
            grid.setdefault((gx, gy), []).append((x, y))
            if len(points) >= target:
                break
    return np.array(points, dtype=float)


def make_coat(seed: int) -> Coat:
    """Render the coat of the individual with this seed: same seed, same rosettes at the same places."""
    rng = np.random.default_rng(seed)
    style = draw_style(rng)
    scale = 2  # draw at twice the size, then downsample, for smooth spot edges
    img = Image.new("RGB", (TEXTURE_W * scale, TEXTURE_H * scale), style.fur_rgb)
    draw = ImageDraw.Draw(img)
    # Faint mottling so the fur is not flat.
    for _ in range(220):
        x, y = rng.uniform(0, TEXTURE_W * scale), rng.uniform(0, TEXTURE_H * scale)
        r = rng.uniform(3, 10) * scale
        d = int(rng.integers(-14, 10))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(max(0, c + d) for c in style.fur_rgb))
    dark = (38, 34, 32)
    for cx, cy in _rosette_centres(rng, style.spacing):
        ring = style.ring_radius * rng.uniform(0.75, 1.25)
        if rng.random() < style.solid_fraction:
            r = style.spot_radius * rng.uniform(0.9, 1.6)
            draw.ellipse(((cx - r) * scale, (cy - r) * scale, (cx + r) * scale, (cy + r) * scale), fill=dark)
            continue
        shade = tuple(max(0, c - style.centre_shade - 15) for c in style.fur_rgb)
        draw.ellipse(
            (
                (cx - ring * 0.7) * scale,
                (cy - ring * 0.7) * scale,
                (cx + ring * 0.7) * scale,
                (cy + ring * 0.7) * scale,
            ),
            fill=shade,
        )
        n = style.spots_per_ring + int(rng.integers(-1, 2))
        phase = rng.uniform(0, 2 * np.pi)
        for k in range(max(3, n)):
            if rng.random() < 0.12:  # broken rings, as on real coats
                continue
            a = phase + 2 * np.pi * k / n + rng.normal(0, 0.15)
            sx, sy = cx + ring * np.cos(a), cy + ring * np.sin(a)
            rl = style.spot_radius * rng.uniform(0.8, 1.5)
            rs = style.spot_radius * rng.uniform(0.5, 0.9)
            # Spots are elongated along the ring: approximate with an axis-aligned ellipse chosen by angle.
            rx, ry = (rs, rl) if abs(np.cos(a)) > abs(np.sin(a)) else (rl, rs)
            draw.ellipse(((sx - rx) * scale, (sy - ry) * scale, (sx + rx) * scale, (sy + ry) * scale), fill=dark)
    img = img.resize((TEXTURE_W, TEXTURE_H), Image.Resampling.BOX).filter(ImageFilter.GaussianBlur(0.6))
    return Coat(style=style, texture=img)
