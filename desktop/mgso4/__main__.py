"""``python -m mgso4``: the same as the ``mgso4`` command."""

from __future__ import annotations

import sys

from mgso4.cli import main

sys.exit(main())
