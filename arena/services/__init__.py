"""Arena package."""
