"""The ``mgso4`` command. With no arguments it opens the app; subcommands are for scripting.

The subcommands are a contract that tests, training and auditors rely on: every command that
prints a result prints one JSON object with ``--json``; bad input exits 2 with a one-line
message on stderr naming the bad argument. Date-times are ISO 8601; without an offset they are
local time in Europe/London. Each group of subcommands lives in its own module and registers
itself in :func:`build_parser`; imports are local to each command so start-up stays fast.
"""

from __future__ import annotations

from mgso4.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
