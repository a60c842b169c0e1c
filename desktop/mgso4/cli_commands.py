"""Subcommands that need the record store, the reports or the audit package.

Kept apart from ``cli`` so that ``mgso4 assess`` never imports SQLite or reportlab.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

REGISTRARS: list[Callable[[Any], None]] = []
