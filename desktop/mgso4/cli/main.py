"""The parser and the entry point: which subcommand runs, and the GUI when there is none."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from mgso4.cli import audit, clinical, documents, episode, feedback, record
from mgso4.cli.common import EXIT_OK, EXIT_USAGE, Parser, UsageError

#: Flags that open the app rather than a subcommand.
GUI_FLAGS = frozenset({"--db", "--training", "--protocol"})


def cmd_gui(argv: Sequence[str]) -> int:
    """Open the app."""
    from mgso4.gui.app import main as gui_main

    return gui_main(list(argv))


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    from mgso4 import __version__

    parser = Parser(prog="mgso4", description="MgSO₄ Preterm Proforma")
    parser.add_argument("--version", action="version", version=f"mgso4 {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    for module in (clinical, record, episode, documents, audit, feedback):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``mgso4``."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] in GUI_FLAGS:
        return cmd_gui(args_list)
    parser = build_parser()
    args = parser.parse_args(args_list)
    if not getattr(args, "command", None):
        return cmd_gui(args_list)
    try:
        result: int = args.func(args)
        return result
    except UsageError as exc:
        print(f"mgso4 {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped reading: nothing is lost, files are already whole.
        sys.stderr.close()
        return EXIT_OK
