"""``python -m lib.convertr``: see lib.convertr.cli."""

from __future__ import annotations

import sys

from lib.convertr.cli import main

sys.exit(main())
