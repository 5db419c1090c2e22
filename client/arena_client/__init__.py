"""arena-client: the participant's command line for an Arena server."""

__version__ = "0.1.0"

__all__ = ["__version__"]
