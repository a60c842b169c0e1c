"""What every ``mgso4`` subcommand shares: exit codes, the one-line usage error, the argparse
subclass that reports in one line, JSON output, and the parsers for dates, times, gestations,
protocols and record paths. Heavy imports stay inside the functions so start-up stays fast.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input on the command line: exit 2 with one line on stderr."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")


def one_line(text: str) -> str:
    """Text made safe to print as one line: control characters (newlines, escapes, line and
    paragraph separators) shown as escapes, so echoed input can neither break the line nor
    drive the terminal."""
    return "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    import unicodedata

    if char == " " or not (
        unicodedata.category(char) in {"Cc", "Zl", "Zp"} or char in "\u0085\u2028\u2029"
    ):
        return char
    return char.encode("unicode_escape").decode("ascii")


class Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, one_line(f"{self.prog}: error: {message}") + "\n")


def json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=json_default))


# --------------------------------------------------------------------------- helpers


def protocol_library() -> Any:
    from mgso4.core.protocol import ProtocolLibrary
    from mgso4.resources import resource_path

    return ProtocolLibrary(resource_path("protocols"))


def load_protocol(id_or_path: str) -> Any:
    from mgso4.core.protocol import ProtocolError

    try:
        return protocol_library().load(id_or_path)
    except ProtocolError as exc:
        raise UsageError("--protocol", "; ".join(exc.problems)) from None


def load_preparations() -> Any:
    from mgso4.core.protocol import load_preparations_file
    from mgso4.resources import resource_path

    return load_preparations_file(resource_path("preparations.toml"))


def parse_gestation(text: str, argument: str) -> Any:
    from mgso4.core.gestation import GestationalAge, GestationError

    try:
        return GestationalAge.parse(text)
    except GestationError as exc:
        raise UsageError(argument, str(exc)) from None


#: Dates the command line accepts: far wider than any pregnancy or record, narrow enough that
#: date arithmetic (EDD − 280 days, local time zones) can never run off the calendar.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


def _in_range(value: date, argument: str) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise UsageError(
            argument,
            f"{value.isoformat()} is outside the dates the app uses "
            f"({EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()}); check the year",
        )


def parse_date(text: str, argument: str) -> date:
    from mgso4.core.timeutil import LocalTimeError, parse_local_date

    try:
        value = parse_local_date(text)
    except (LocalTimeError, ValueError, OverflowError) as exc:
        raise UsageError(argument, str(exc)) from None
    _in_range(value, argument)
    return value


def parse_datetime(text: str, argument: str) -> datetime:
    from mgso4.core.timeutil import AmbiguousLocalTimeError, LocalTimeError, parse_local_datetime

    try:
        value = parse_local_datetime(text)
    except AmbiguousLocalTimeError as exc:
        raise UsageError(
            argument, f"{exc} Add the offset, e.g. +01:00 for BST or +00:00 for GMT."
        ) from None
    except (LocalTimeError, ValueError, OverflowError) as exc:
        raise UsageError(argument, str(exc)) from None
    _in_range(value.date(), argument)
    return value


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1 (the message names the argument)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def local_date(moment: datetime) -> date:
    from mgso4.core.timeutil import LONDON

    return moment.astimezone(LONDON).date()


def now() -> datetime:
    from mgso4.core.timeutil import utcnow

    return utcnow()


def db_path(value: str | None, argument: str = "--db") -> Path:
    """The record named on the command line (a file, or a ``postgresql://`` unit record)."""
    if value:
        from mgso4.storage.spec import spec_path

        return spec_path(value)
    from mgso4.storage import default_db_path

    return default_db_path()


def emit(data: dict[str, Any], code: int, as_json: bool, command: str = "") -> int:
    """Print a command's result; an action that could not be done (exit 2) says why in one
    line on stderr."""
    if code == EXIT_USAGE:
        if as_json:
            print_json(data)
        reason = data.get("message") or "; ".join(data.get("problems", [])) or "not done"
        fail(command, str(reason))
    elif as_json:
        print_json(data)
    else:
        print(data.get("message") or ("ok" if code == EXIT_OK else "problems found"))
        for problem in data.get("problems", []) if code != EXIT_OK else []:
            print(f"  - {problem}")
    return code


def fail(command: str, message: str) -> int:
    """Say in one line on stderr why ``mgso4 <command>`` could not do it; exit status 2."""
    print(one_line(f"mgso4 {command}: error: {message}"), file=sys.stderr)
    return EXIT_USAGE


def cli_actor(args: argparse.Namespace) -> Any:
    from mgso4.core.episode import Actor
    from mgso4.core.vocab import Role

    name = args.by or getpass.getuser() or "command line"
    try:
        return Actor(name=name, role=Role(args.role))
    except ValueError as exc:
        raise UsageError("--by", str(exc)) from None


def situations() -> list[str]:
    from mgso4.core.vocab import Situation

    return [s.value for s in Situation]


def conditions() -> list[str]:
    from mgso4.core.vocab import ConditionId

    return [c.value for c in ConditionId]


def medications() -> list[str]:
    from mgso4.core.vocab import MedicationId

    return [m.value for m in MedicationId]


#: Subcommand registrars added by the storage, report and audit command modules.
class StderrProgress:
    """Progress on stderr (one line per stage step); Ctrl+C cancels without a partial file."""

    def __init__(self, quiet: bool) -> None:
        self._quiet = quiet
        self._last: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self._quiet:
            return
        percent = int(100 * done / total) if total else 100
        step = percent // 10
        if (stage, step) != self._last:
            self._last = (stage, step)
            print(f"{stage}: {percent}% ({done}/{total})", file=sys.stderr, flush=True)


def audit_filters(args: argparse.Namespace) -> Any:
    from mgso4.audit import Filters, GestationBand, OutcomeFilter

    return Filters(
        bands=frozenset(GestationBand(b) for b in args.band),
        outcome=OutcomeFilter(args.outcome),
        workstations=frozenset(args.workstation),
        include_training=args.include_training,
    )


def date_range(args: argparse.Namespace) -> tuple[Any, Any]:
    date_from = parse_date(args.date_from, "--from") if args.date_from else None
    date_to = parse_date(args.date_to, "--to") if args.date_to else None
    if date_from is not None and date_to is not None and date_from > date_to:
        raise UsageError("--from", f"{date_from} is after --to {date_to}")
    return date_from, date_to


def checked_output(
    value: str,
    *,
    force: bool,
    argument: str = "--out",
    db: str | None = None,
    companions: Sequence[Path] = (),
) -> Path:
    """Check an output file before anything is written; the path to write, or exit 2.

    Refused always (``--force`` does not change it): a SQLite file (a record or a backup, or
    its journal), the record this command uses (``db``), the live and training records in the
    data folder, anything in a backup folder named like a backup, and any name ending like a
    record (.sqlite3, .sqlite, .db, .db3). Refused unless ``--force``: any other existing file.
    ``companions`` are the other files the command writes with it (e.g. a CSV's data
    dictionary) and are checked the same way.
    """
    from mgso4.safe_paths import RECORD_SUFFIXES, SQLITE_COMPANIONS, record_target_problem

    path = Path(value)
    records = _records_in_play(db)
    backup_folders = _backup_folders()
    for target in (path, *companions):
        if target.is_dir():
            raise UsageError(argument, f"{target} is a folder; give a file name")
        folder = target.parent
        if not folder.is_dir():
            raise UsageError(argument, f"the folder {folder} does not exist")
        resolved = target.resolve()
        for record in records:
            if resolved in {record, *(Path(f"{record}{c}") for c in SQLITE_COMPANIONS)}:
                raise UsageError(
                    argument,
                    f"{target} is the record {record} (or its journal); a record is never "
                    "written over, even with --force",
                )
        problem = record_target_problem(target)
        if problem is not None:
            raise UsageError(argument, problem + ", even with --force")
        name = resolved.name.lower()
        if resolved.suffix.lower() in RECORD_SUFFIXES or name.endswith(SQLITE_COMPANIONS):
            raise UsageError(
                argument,
                f"{target}: names ending {resolved.suffix or name} are kept for records and "
                "backups; choose another name",
            )
        for backups in backup_folders:
            if backups in resolved.parents and _looks_like_backup(resolved.name):
                raise UsageError(
                    argument, f"{target} is a backup in {backups}; backups are never written over"
                )
        if (target.exists() or target.is_symlink()) and not force:
            raise UsageError(
                argument,
                f"{target} already exists; choose a new name, or give --force to replace it",
            )
    return path


def _records_in_play(db: str | None) -> set[Path]:
    from mgso4.storage import default_db_path
    from mgso4.storage.spec import is_server_spec

    records = {default_db_path().resolve(), default_db_path(training=True).resolve()}
    if db and not is_server_spec(db):
        records.add(Path(db).resolve())
    return records


def _backup_folders() -> set[Path]:
    from mgso4.settings import Settings, SettingsError, backup_folder, load_settings

    try:
        settings = load_settings()
    except SettingsError:
        settings = Settings()
    return {backup_folder(settings, training).resolve() for training in (False, True)}


def _looks_like_backup(name: str) -> bool:
    from mgso4.storage.backup import BACKUP_PREFIX

    return name.startswith(f"{BACKUP_PREFIX}-") or name.startswith(f".{BACKUP_PREFIX}-")


def witness_folders(extra: Sequence[str] = ()) -> list[Path]:
    """Where chain-head witnesses are looked for: the backup folders and any given."""
    from mgso4.settings import Settings, SettingsError, backup_folder, load_settings

    try:
        settings = load_settings()
    except SettingsError:
        settings = Settings()
    folders = [backup_folder(settings, training) for training in (False, True)]
    for folder in extra:
        if not Path(folder).is_dir():
            raise UsageError("--witnesses", f"there is no folder at {folder}")
    return folders + [Path(folder) for folder in extra]


def local_anchors(extra_witnesses: Sequence[str] = ()) -> Any:
    """This computer's keys and trust list and the witnesses in the backup folders."""
    from mgso4.storage.signing import Anchors

    return Anchors.local(witness_folders(extra_witnesses))


def existing_record(value: str | None) -> Path:
    from mgso4.storage.spec import is_server_spec

    path = db_path(value)
    if not is_server_spec(path) and not path.is_file():
        raise UsageError("--db", f"there is no record file at {path}")
    return path
