"""``python -m lib.cli``: see lib.cli."""

from __future__ import annotations

import sys

from lib.cli import main

sys.exit(main())
