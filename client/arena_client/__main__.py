"""``python -m arena_client``."""

from arena_client.cli import main

raise SystemExit(main())
