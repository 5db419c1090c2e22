"""Synthetic camera-trap images of individually patterned snow leopards (numpy + Pillow, seeded)."""
