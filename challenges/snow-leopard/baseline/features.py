"""Hand-made coat descriptors that tolerate rotation, scale and lighting changes (numpy + Pillow only)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

WORK_W, WORK_H = 160, 120
SPOT_SCALES = (1.0, 1.6, 2.5)


def _box(a: np.ndarray, half: int, axis: int) -> np.ndarray:
    """Mean over a window of 2*half+1 along one axis (edge padded), via cumulative sums."""
    b = a if axis == 1 else a.T
    p = np.pad(b, ((0, 0), (half + 1, half)), mode="edge")
    c = np.cumsum(p, axis=1)
    n = b.shape[1]
    out = (c[:, 2 * half + 1 : 2 * half + 1 + n] - c[:, :n]) / (2 * half + 1)
    return out if axis == 1 else out.T


def _blur(a: np.ndarray, sigma: float) -> np.ndarray:
    """Approximate Gaussian blur: three box passes per axis (exact enough for these descriptors)."""
    half = max(0, int(round((np.sqrt(4 * sigma * sigma + 1) - 1) / 2)))
    out = a.astype(np.float32)
    if half == 0:
        return out
    for _ in range(3):
        out = _box(_box(out, half, 0), half, 1)
    return out


def _max_filter(a: np.ndarray, size: int) -> np.ndarray:
    """Maximum over a size×size window (edge padded), separably along both axes."""
    half = size // 2
    out = a
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (half, half)
        p = np.pad(out, pad, mode="edge")
        n = out.shape[axis]
        out = np.max([np.take(p, np.arange(i, i + n), axis=axis) for i in range(size)], axis=0)
    return out


def load_image(path: Path) -> tuple[np.ndarray, bool]:
    """Grey image at working size with zero mean and unit spread, and whether it is an infrared (grey) frame."""
    with Image.open(path) as im:
        rgb = im.convert("RGB")
        if rgb.size != (WORK_W, WORK_H):
            rgb = rgb.resize((WORK_W, WORK_H), Image.Resampling.BILINEAR)
        arr = np.asarray(rgb, dtype=np.float32)
    infrared = float(np.mean(np.abs(arr[..., 0] - arr[..., 2]))) < 3.0
    grey = arr @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    grey = grey / (_blur(grey, 25) + 8.0)  # divides out the flash fall-off and uneven light
    lo, hi = np.percentile(grey, [2, 98])
    return (grey - (lo + hi) / 2) / max(hi - lo, 1e-3), infrared


def foreground(img: np.ndarray, background: np.ndarray | None) -> np.ndarray:
    """Boolean mask of the animal: pixels that differ from the station's median frame, cleaned up."""
    if background is None:
        return np.ones_like(img, dtype=bool)
    diff = np.abs(_blur(img, 1.5) - background)
    mask = Image.fromarray((diff > 0.22).astype(np.uint8) * 255)
    mask = mask.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.MaxFilter(7)).filter(ImageFilter.MinFilter(3))
    out = np.asarray(mask) > 0
    if out.sum() < 0.03 * out.size:  # nothing stood out: fall back to the whole frame
        return np.ones_like(img, dtype=bool)
    return out


def _lbp_riu(img: np.ndarray, radius: int) -> np.ndarray:
    """Rotation-invariant uniform local binary pattern codes (0..9) with 8 neighbours at `radius`."""
    h, w = img.shape
    p = np.pad(img, radius, mode="edge")
    centre = p[radius : radius + h, radius : radius + w]
    bits = []
    for k in range(8):
        dy = int(round(-radius * np.sin(2 * np.pi * k / 8)))
        dx = int(round(radius * np.cos(2 * np.pi * k / 8)))
        bits.append(p[radius + dy : radius + dy + h, radius + dx : radius + dx + w] >= centre)
    b = np.stack(bits).astype(np.int8)
    transitions = np.abs(np.diff(np.concatenate([b, b[:1]]), axis=0)).sum(axis=0)
    ones = b.sum(axis=0)
    return np.where(transitions <= 2, ones, 9)


def _spots(img: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Dark-blob responses at several scales (difference of Gaussians) and local-maximum blob positions."""
    responses = []
    blobs = []
    for s in SPOT_SCALES:
        r = _blur(img, 2.2 * s) - _blur(img, s)  # positive on dark blobs of size ~s
        responses.append(r)
        peak = _max_filter(r, 5)
        found = (r >= peak) & (r > 0.08) & mask
        blobs.append(np.argwhere(found).astype(np.float32))
    return np.stack(responses), blobs


def describe(img: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Concatenate normalised histograms: blob responses, blob neighbourhoods, LBP codes and grey levels."""
    feats: list[np.ndarray] = []
    responses, blobs = _spots(img, mask)
    for r in responses:
        hist = np.histogram(np.clip(r[mask], -0.6, 0.6), bins=12, range=(-0.6, 0.6))[0].astype(np.float32)
        feats.append(hist / max(hist.sum(), 1.0))
    for pts, s in zip(blobs, SPOT_SCALES, strict=True):
        # Neighbour counts and spacing measured in units of the blob scale are unchanged by zoom and rotation.
        if len(pts) >= 3:
            d = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
            np.fill_diagonal(d, np.inf)
            nn = np.sort(d, axis=1)[:, :3] / s
            counts = (d < 6 * s).sum(axis=1)
            h1 = np.histogram(np.clip(nn[:, 0], 0, 12), bins=8, range=(0, 12))[0]
            h2 = np.histogram(np.clip(nn[:, 2], 0, 16), bins=8, range=(0, 16))[0]
            h3 = np.bincount(np.clip(counts, 0, 7), minlength=8)
            density = len(pts) * s * s / max(mask.sum(), 1)
        else:
            h1 = h2 = h3 = np.zeros(8)
            density = 0.0
        for h in (h1, h2, h3):
            h = h.astype(np.float32)
            feats.append(h / max(h.sum(), 1.0))
        feats.append(np.array([density * 10], dtype=np.float32))
    for radius in (1, 2, 3):
        codes = _lbp_riu(_blur(img, 0.6), radius)[mask]
        h = np.bincount(codes, minlength=10).astype(np.float32)
        feats.append(h / max(h.sum(), 1.0))
    h = np.histogram(np.clip(img[mask], -1, 1), bins=10, range=(-1, 1))[0].astype(np.float32)
    feats.append(h / max(h.sum(), 1.0))
    return np.sqrt(np.concatenate(feats))  # Hellinger mapping for histogram comparison
