"""Compose one camera-trap frame: station background, posed animal, occluders, lighting, blur and noise."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from generator.coat import TEXTURE_H, TEXTURE_W, make_coat

FRAME_W = 160
FRAME_H = 120
SPRITE_W = 240
SPRITE_H = 120

PALETTES: dict[str, list[tuple[int, int, int]]] = {
    "scree": [(128, 118, 104), (152, 142, 126), (96, 90, 82), (176, 168, 152)],
    "snow": [(222, 226, 232), (196, 202, 210), (150, 152, 156), (240, 242, 246)],
    "grass": [(112, 110, 70), (138, 126, 82), (86, 88, 58), (160, 148, 104)],
    "cliff": [(90, 88, 92), (116, 112, 116), (64, 62, 66), (140, 136, 134)],
}


@dataclass(frozen=True)
class Pose:
    """Where and how the animal appears in the frame."""

    flank: str  # "left" or "right": which side of the animal faces the camera
    cx: float
    cy: float
    scale: float
    angle_deg: float
    aspect: float
    shear: float


@dataclass(frozen=True)
class Look:
    """Capture conditions shared by a frame: light, occlusion, blur, noise and compression."""

    night: bool
    gain: float
    contrast: float
    cast: tuple[float, float, float]
    occluder: str  # "none", "grass" or "rock"
    occluder_seed: int
    blur: float
    motion: int
    noise: float
    quality: int


def _smooth_noise(rng: np.random.Generator, w: int, h: int, cells: tuple[int, int]) -> np.ndarray:
    small = Image.fromarray((rng.random((cells[1], cells[0])) * 255).astype(np.uint8))
    return np.asarray(small.resize((w, h), Image.Resampling.BICUBIC), dtype=np.float32) / 255.0


@lru_cache(maxsize=64)
def station_background(seed: int) -> np.ndarray:
    """The fixed scene of one camera station (H×W×3 float32, 0–255): terrain, rocks, maybe a skyline."""
    rng = np.random.default_rng(seed)
    kind = list(PALETTES)[int(rng.integers(len(PALETTES)))]
    pal = np.array(PALETTES[kind], dtype=np.float32)
    w, h = FRAME_W + 8, FRAME_H + 8  # margin for small camera shifts
    mix = _smooth_noise(rng, w, h, (5, 4)) * 0.6 + _smooth_noise(rng, w, h, (20, 15)) * 0.4
    idx = np.clip(mix * len(pal), 0, len(pal) - 1.001)
    lo = np.floor(idx).astype(int)
    frac = (idx - lo)[..., None]
    img = pal[lo] * (1 - frac) + pal[np.minimum(lo + 1, len(pal) - 1)] * frac
    img += (rng.normal(0, 6, (h, w, 1)) + rng.normal(0, 3, (h, w, 3))).astype(np.float32)
    canvas = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(canvas)
    if rng.random() < 0.4:  # a skyline
        horizon = rng.uniform(0.12, 0.3) * h
        xs = np.linspace(0, w, 9)
        ys = horizon + rng.normal(0, 6, 9)
        sky = tuple(int(c) for c in rng.uniform((150, 170, 190), (200, 215, 235)))
        draw.polygon([(0, 0), *zip(xs.tolist(), ys.tolist(), strict=True), (w, 0)], fill=sky)
    for _ in range(int(rng.integers(2, 7))):  # background rocks
        cx, cy, r = rng.uniform(0, w), rng.uniform(h * 0.3, h), rng.uniform(8, 30)
        angles = np.sort(rng.uniform(0, 2 * np.pi, 7))
        pts = [(cx + r * math.cos(a) * rng.uniform(0.7, 1.2), cy + r * 0.6 * math.sin(a)) for a in angles]
        tone = pal[int(rng.integers(len(pal)))] * rng.uniform(0.6, 1.05)
        draw.polygon(pts, fill=tuple(int(c) for c in tone))
    return np.asarray(canvas.filter(ImageFilter.GaussianBlur(0.7)), dtype=np.float32)


@lru_cache(maxsize=8)
def _body_mask(build_seed: int) -> tuple[Image.Image, np.ndarray]:
    """Silhouette of a snow leopard facing right, and a per-row shading profile (belly paler, back darker)."""
    rng = np.random.default_rng(build_seed)
    mask = Image.new("L", (SPRITE_W * 2, SPRITE_H * 2), 0)
    d = ImageDraw.Draw(mask)

    def ell(x0: float, y0: float, x1: float, y1: float) -> None:
        d.ellipse((x0 * 2, y0 * 2, x1 * 2, y1 * 2), fill=255)

    girth = rng.uniform(-3, 3)
    ell(78, 34 - girth, 192, 84 + girth)  # body
    ell(176, 22, 222, 60)  # head
    ell(206, 38, 230, 56)  # muzzle
    d.polygon([(182 * 2, 28 * 2), (186 * 2, 12 * 2), (196 * 2, 24 * 2)], fill=255)  # ear
    d.polygon([(204 * 2, 24 * 2), (210 * 2, 12 * 2), (216 * 2, 26 * 2)], fill=255)  # ear
    for x in (92, 110, 158, 174):  # legs
        d.polygon([(x * 2, 62 * 2), ((x + 16) * 2, 62 * 2), ((x + 14) * 2, 114 * 2), ((x - 2) * 2, 114 * 2)], fill=255)
    t = np.linspace(0, 1, 40)  # long, thick tail curling down then up
    tx = 84 - 80 * t
    ty = 54 + 50 * np.sin(t * 2.4) - 10 * t
    for x, y, k in zip(tx, ty, t, strict=True):
        r = 9 - 2 * k
        ell(x - r, y - r, x + r, y + r)
    mask = mask.resize((SPRITE_W, SPRITE_H), Image.Resampling.BOX)
    rows = np.linspace(0, 1, SPRITE_H, dtype=np.float32)
    shade = 0.74 + 0.26 * np.clip(np.sin(np.pi * np.clip((rows - 0.2) / 0.6, 0, 1)) + (rows > 0.55) * 0.12, 0, 1.1)
    return mask, shade


@lru_cache(maxsize=256)
def animal_sprite(coat_seed: int, flank: str, build_seed: int) -> Image.Image:
    """The RGBA sprite of one individual showing one flank, facing right for "left" and left for "right"."""
    coat = make_coat(coat_seed)
    mask, shade = _body_mask(build_seed)
    half = TEXTURE_H // 2
    box = (0, 0, TEXTURE_W, half) if flank == "left" else (0, half, TEXTURE_W, TEXTURE_H)
    fur = np.asarray(coat.texture.crop(box).resize((SPRITE_W, SPRITE_H), Image.Resampling.BILINEAR), np.float32)
    fur = np.clip(fur * shade[:, None, None], 0, 255).astype(np.uint8)
    sprite = Image.fromarray(fur).convert("RGBA")
    sprite.putalpha(mask)
    return sprite if flank == "left" else sprite.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def _affine_inverse(pose: Pose) -> tuple[float, ...]:
    """Coefficients mapping frame pixels back into sprite pixels, as PIL's AFFINE transform expects."""
    a = math.radians(pose.angle_deg)
    sx, sy = pose.scale * pose.aspect, pose.scale / pose.aspect
    forward = (
        np.array([[1, 0, pose.cx], [0, 1, pose.cy], [0, 0, 1]])
        @ np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
        @ np.array([[1, pose.shear, 0], [0, 1, 0], [0, 0, 1]])
        @ np.diag([sx, sy, 1])
        @ np.array([[1, 0, -SPRITE_W / 2], [0, 1, -SPRITE_H / 2], [0, 0, 1]])
    )
    inv = np.linalg.inv(forward)
    return tuple(float(v) for v in inv[:2].ravel())


def _occlude(canvas: Image.Image, look: Look, pose: Pose, background: np.ndarray) -> None:
    rng = np.random.default_rng(look.occluder_seed)
    draw = ImageDraw.Draw(canvas)
    base = background[FRAME_H // 2 :, :, :].reshape(-1, 3)
    if look.occluder == "grass":
        colours = [(96, 92, 54), (132, 120, 74), (168, 156, 110), (70, 72, 44)]
        for _ in range(int(rng.integers(25, 60))):
            x = rng.uniform(pose.cx - 70, pose.cx + 70)
            top = rng.uniform(FRAME_H * 0.45, FRAME_H * 0.9)
            lean = rng.normal(0, 6)
            colour = colours[int(rng.integers(len(colours)))]
            draw.line([(x, FRAME_H), (x + lean, top)], fill=colour, width=int(rng.integers(1, 3)))
    elif look.occluder == "rock":
        side = rng.choice([-1, 1])
        cx = pose.cx + side * rng.uniform(15, 50)
        cy = rng.uniform(FRAME_H * 0.55, FRAME_H * 1.05)
        r = rng.uniform(18, 38)
        angles = np.sort(rng.uniform(0, 2 * np.pi, 8))
        pts = [(cx + r * math.cos(t) * rng.uniform(0.75, 1.2), cy + r * 0.7 * math.sin(t)) for t in angles]
        tone = base[int(rng.integers(len(base)))] * rng.uniform(0.55, 0.85)
        draw.polygon(pts, fill=tuple(int(c) for c in tone))


def render_frame(
    coat_seed: int, build_seed: int, station_seed: int, shift: tuple[int, int], pose: Pose, look: Look
) -> bytes:
    """Render one JPEG frame of an individual at a station."""
    background = station_background(station_seed)
    dx, dy = shift
    bg = background[4 + dy : 4 + dy + FRAME_H, 4 + dx : 4 + dx + FRAME_W]
    canvas = Image.fromarray(bg.astype(np.uint8)).convert("RGBA")
    sprite = animal_sprite(coat_seed, pose.flank, build_seed)
    posed = sprite.transform(
        (FRAME_W, FRAME_H), Image.Transform.AFFINE, _affine_inverse(pose), Image.Resampling.BILINEAR
    )
    canvas = Image.alpha_composite(canvas, posed).convert("RGB")
    if look.occluder != "none":
        _occlude(canvas, look, pose, background)
    if look.blur > 0.05:
        canvas = canvas.filter(ImageFilter.GaussianBlur(look.blur))
    img = np.asarray(canvas, dtype=np.float32)
    if look.motion > 1:  # horizontal motion blur of a moving animal
        img = sum(np.roll(img, k, axis=1) for k in range(look.motion)) / look.motion
    rng = np.random.default_rng(look.occluder_seed + 1)
    if look.night:
        grey = img @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float32)
        r2 = ((xx - FRAME_W / 2) / FRAME_W) ** 2 + ((yy - FRAME_H / 2) / FRAME_H) ** 2
        flash = 1.25 - 1.6 * r2  # infrared flash: bright centre, dark corners
        grey = (grey - 110) * look.contrast + 110
        grey = grey * flash * look.gain
        img = np.repeat(grey[..., None], 3, axis=2)
    else:
        img = (img - 128) * look.contrast + 128
        img = img * look.gain * np.array(look.cast, dtype=np.float32)
    img = img + rng.normal(0, look.noise, img.shape[:2])[..., None] + rng.normal(0, look.noise * 0.3, img.shape)
    out = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    out.save(buf, format="JPEG", quality=look.quality)
    return buf.getvalue()
