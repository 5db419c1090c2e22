"""The controlled vocabularies of the demands workflow: technical fields, review checklist, attachment types."""

from __future__ import annotations

# Field code → English name; the Chinese names are the translations of these names.
FIELDS: dict[str, str] = {
    "new_materials": "New materials",
    "biomedicine": "Biomedicine",
    "smart_manufacturing": "Smart manufacturing",
    "artificial_intelligence": "Artificial intelligence",
    "marine": "Marine technology",
    "food": "Food",
    "energy": "New energy and energy saving",
    "electronics": "Electronic information",
    "environment": "Environmental protection",
    "agriculture": "Modern agriculture",
    "ecology": "Ecology and biodiversity",
}

# What a reviewer checks before a demand is approved (authenticity, completeness, feasibility).
CHECKLIST: dict[str, str] = {
    "authentic": "The sponsor and its contact are real and reachable",
    "complete": "Problem, current state, indicators, budget and deadline are stated",
    "feasible": "The problem can be solved within the budget and time",
}

ATTACHMENT_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}

# How each attachment type starts; a file whose bytes do not match its name is refused.
MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
    "application/zip": (b"PK\x03\x04",),
}

ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
