"""The parser and the entry point: which subcommand runs, and the GUI when there is none.

:func:`main` is where the command line's promise is kept for every subcommand, present and
future: bad input exits 2 with exactly one line on stderr naming what was wrong, and nothing
ever ends in a traceback. Each command raises :class:`~mgso4.cli.common.UsageError` for what it
checks itself; anything that escapes a command is caught here as a last resort, reported in one
line (control characters in echoed input escaped) and logged with its traceback for IT.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from mgso4.cli.common import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, Parser, UsageError, one_line

log = logging.getLogger(__name__)

#: Flags that open the app rather than a subcommand.
GUI_FLAGS = frozenset({"--db", "--training", "--protocol"})
#: How to open the app, shown under ``mgso4 --help`` (the app's options are not subcommands).
APP_HELP = """\
With no subcommand, mgso4 opens the bedside app on this PC's record.
app options:
  --db PATH             open another record file: a unit's merged record, a demo
                        record, a restored backup (the app's "Open record…" does the same)
  --training            open the separate training record (purple banner, synthetic
                        numbers only)
  --protocol ID_OR_PATH the protocol for new episodes instead of the setting
examples:
  mgso4                              the ward record
  mgso4 --training                   practise without touching the ward record
  mgso4 --db unit-merged.sqlite3     an auditor opening the unit's merged record
"""
#: The install check (packaging/entry.py in the bundle; docs/admin-guide.md).
SMOKE_FLAG = "--smoke-test"
#: Modules that add subcommands (each has ``register(sub)``), imported only to build the
#: parser: opening the app never pays for the subcommands (the audit's imports among them).
COMMAND_MODULES = (
    "mgso4.cli.clinical",
    "mgso4.cli.record",
    "mgso4.cli.episode",
    "mgso4.cli.documents",
    "mgso4.cli.audit",
    "mgso4.cli.feedback",
    "mgso4.cli.server",
)

#: Exceptions that mean the input could not be used (a value out of range, a file that is not
#: what it should be, input nested too deeply): reported as bad input.
_BAD_INPUT = (ValueError, OverflowError, RecursionError, UnicodeError, LookupError, OSError)


def cmd_gui(argv: Sequence[str]) -> int:
    """Open the app."""
    from mgso4.gui.app import main as gui_main

    return gui_main(list(argv))


def cmd_smoke_test(argv: Sequence[str]) -> int:
    """``mgso4 --smoke-test PICTURE.png --db THROWAWAY.sqlite3``: the install check."""
    from mgso4.gui.app import main as gui_main
    from mgso4.gui.smoke import SMOKE_FLAG

    return gui_main([SMOKE_FLAG, *argv])


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    from mgso4 import __version__

    parser = Parser(
        prog="mgso4",
        description="MgSO₄ Preterm Proforma",
        epilog=APP_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mgso4 {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``mgso4``."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == SMOKE_FLAG:
        return cmd_smoke_test(args_list[1:])
    if not args_list or args_list[0] in GUI_FLAGS:
        return cmd_gui(args_list)
    parser = build_parser()
    args = parser.parse_args(args_list)
    if not getattr(args, "command", None):
        return cmd_gui(args_list)
    name = f"mgso4 {args.command}"
    try:
        result: int = args.func(args)
        return result
    except UsageError as exc:
        _say(f"{name}: error: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped reading: nothing is lost, files are already whole.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        _say(f"{name}: cancelled; files are written whole or not at all")
        return EXIT_PROBLEM
    except Exception as exc:
        return _last_resort(name, exc)


def _last_resort(name: str, exc: Exception) -> int:
    """One line for anything a command did not report itself; the traceback goes to the log."""
    from mgso4.storage import StoreError

    log.debug("%s failed", name, exc_info=exc)
    detail = _first_line(exc)
    if isinstance(exc, StoreError):
        _say(f"{name}: error: {detail}")
    elif isinstance(exc, RecursionError):
        _say(f"{name}: error: the input is nested too deeply to be read ({detail})")
    elif isinstance(exc, _BAD_INPUT):
        _say(f"{name}: error: the input cannot be used: {detail}")
    else:
        _say(
            f"{name}: internal error ({type(exc).__name__}: {detail}); nothing was changed by "
            "the failed step. Please report this with the command you ran."
        )
    return EXIT_USAGE


def _first_line(exc: BaseException) -> str:
    lines = [line.strip(" -") for line in str(exc).splitlines() if line.strip(" -")]
    return "; ".join(lines) if lines else type(exc).__name__


def _say(message: str) -> None:
    print(one_line(message), file=sys.stderr)
