"""The ``mgso4`` command. With no arguments it opens the app; subcommands are for scripting.

The subcommands are a contract that tests, training and auditors rely on: every command that
prints a result prints one JSON object with ``--json``; bad input exits 2 with a one-line
message on stderr naming the bad argument. Date-times are ISO 8601; without an offset they are
local time in Europe/London. Imports are local to each command so start-up stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
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


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line and exits 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


# --------------------------------------------------------------------------- helpers


def _protocol_library() -> Any:
    from mgso4.core.protocol import ProtocolLibrary
    from mgso4.resources import resource_path

    return ProtocolLibrary(resource_path("protocols"))


def _load_protocol(id_or_path: str) -> Any:
    from mgso4.core.protocol import ProtocolError

    try:
        return _protocol_library().load(id_or_path)
    except ProtocolError as exc:
        raise UsageError("--protocol", "; ".join(exc.problems)) from None


def _load_preparations() -> Any:
    from mgso4.core.protocol import load_preparations_file
    from mgso4.resources import resource_path

    return load_preparations_file(resource_path("preparations.toml"))


def _parse_gestation(text: str, argument: str) -> Any:
    from mgso4.core.gestation import GestationalAge, GestationError

    try:
        return GestationalAge.parse(text)
    except GestationError as exc:
        raise UsageError(argument, str(exc)) from None


def _parse_date(text: str, argument: str) -> date:
    from mgso4.core.timeutil import LocalTimeError, parse_local_date

    try:
        return parse_local_date(text)
    except LocalTimeError as exc:
        raise UsageError(argument, str(exc)) from None


def _parse_datetime(text: str, argument: str) -> datetime:
    from mgso4.core.timeutil import AmbiguousLocalTimeError, LocalTimeError, parse_local_datetime

    try:
        return parse_local_datetime(text)
    except AmbiguousLocalTimeError as exc:
        raise UsageError(
            argument, f"{exc} Add the offset, e.g. +01:00 for BST or +00:00 for GMT."
        ) from None
    except LocalTimeError as exc:
        raise UsageError(argument, str(exc)) from None


def _local_date(moment: datetime) -> date:
    from mgso4.core.timeutil import LONDON

    return moment.astimezone(LONDON).date()


def _now() -> datetime:
    from mgso4.core.timeutil import utcnow

    return utcnow()


def _db_path(value: str | None, argument: str = "--db") -> Path:
    if value:
        return Path(value)
    from mgso4.storage import default_db_path

    return default_db_path()


# --------------------------------------------------------------------------- commands


def cmd_assess(args: argparse.Namespace) -> int:
    """Eligibility and doses for one woman now (or at --on)."""
    from mgso4.core.eligibility import AssessmentInputs, assess
    from mgso4.core.gestation import DatingMethod, GestationalAge, GestationError
    from mgso4.core.protocol import ProtocolError
    from mgso4.core.vocab import ConditionId, MedicationId, Situation

    protocol = _load_protocol(args.protocol)
    preparations = _load_preparations()
    on_dt = _parse_datetime(args.on, "--on") if args.on else _now()
    on = _local_date(on_dt)
    try:
        if args.gestation is not None:
            gestation = _parse_gestation(args.gestation, "--gestation")
            method = DatingMethod.WEEKS_DAYS
        elif args.edd is not None:
            gestation = GestationalAge.from_edd(_parse_date(args.edd, "--edd"), on)
            method = DatingMethod.AGREED_EDD
        else:
            gestation = GestationalAge.from_lmp(_parse_date(args.lmp, "--lmp"), on)
            method = DatingMethod.LMP
    except GestationError as exc:
        which = "--edd" if args.edd is not None else "--lmp"
        raise UsageError(which, str(exc)) from None
    inputs = AssessmentInputs(
        gestation=gestation,
        situation=Situation(args.situation),
        conditions=frozenset(ConditionId(c) for c in args.condition),
        medications=frozenset(MedicationId(m) for m in args.medication),
        dating_method=method,
        on=on,
    )
    if args.preparation is not None and args.preparation not in preparations.ids:
        raise UsageError(
            "--preparation",
            f"{args.preparation!r} is not one of {', '.join(preparations.ids)}",
        )
    try:
        result = assess(inputs, protocol, preparations, args.preparation)
    except ProtocolError as exc:
        raise UsageError("--preparation", "; ".join(exc.problems)) from None
    data = result.as_cli_dict()
    if args.json:
        _print_json(data)
    else:
        print(_assessment_text(data))
    return EXIT_OK


def _assessment_text(data: dict[str, Any]) -> str:
    lines = [
        f"Gestation {data['gestation']['label']}: band {data['band']}, "
        f"recommendation {data['recommendation'].upper()}",
    ]
    if data["senior_decision_required"]:
        lines.append("A named senior decision is required.")
    lines += [f"  - {reason}" for reason in data["reasons"]]
    lines += [f"  CAUTION: {c}" for c in data["cautions"]]
    lines += [f"  WARNING: {w}" for w in data["warnings"]]
    loading, maintenance = data.get("loading"), data.get("maintenance")
    if loading:
        lines.append(
            f"Loading: {_num(loading['dose_g'])} g = {_num(loading['volume_ml'])} mL at "
            f"{_num(loading['rate_ml_per_h'])} mL/h over {_num(loading['duration_min'])} min "
            f"({_num(loading['concentration_g_per_ml'])} g/mL)"
        )
    if maintenance:
        lines.append(
            f"Maintenance: {_num(maintenance['rate_g_per_h'])} g/h = "
            f"{_num(maintenance['rate_ml_per_h'])} mL/h "
            f"({_num(maintenance['concentration_g_per_ml'])} g/mL), "
            f"for at most {_num(maintenance['max_hours'])} h"
        )
    protocol = data["protocol"]
    lines.append(f"Protocol {protocol['id']} {protocol['version']} ({protocol['sha256'][:12]})")
    return "\n".join(lines)


def _num(value: Any) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def cmd_classify(args: argparse.Namespace) -> int:
    """Audit classes for one birth from timestamps."""
    from mgso4.core.gestation import GestationalAge, GestationError
    from mgso4.core.outcome import Course, classify
    from mgso4.core.vocab import Situation

    birth = _parse_datetime(args.birth, "--birth")
    if args.gestation_at_birth is not None:
        at_birth = _parse_gestation(args.gestation_at_birth, "--gestation-at-birth")
    else:
        try:
            at_birth = GestationalAge.from_edd(_parse_date(args.edd, "--edd"), _local_date(birth))
        except GestationError as exc:
            raise UsageError("--edd", str(exc)) from None
    at_decision = (
        _parse_gestation(args.gestation_at_decision, "--gestation-at-decision")
        if args.gestation_at_decision
        else None
    )
    courses = []
    if args.load_start:
        load_start = _parse_datetime(args.load_start, "--load-start")
        stop = _parse_datetime(args.stop, "--stop") if args.stop else None
        if stop is not None and stop < load_start:
            raise UsageError("--stop", "the infusion cannot stop before the load started")
        courses.append(Course(load_start=load_start, stop=stop))
    elif args.stop:
        raise UsageError("--stop", "needs --load-start (when the course started)")
    result = classify(
        birth_at=birth,
        gestation_at_birth=at_birth,
        courses=courses,
        gestation_at_decision=at_decision,
        situation=Situation(args.situation) if args.situation else None,
    )
    data = result.as_cli_dict()
    if args.json:
        _print_json(data)
    else:
        for key, value in data.items():
            print(f"{key}: {value}")
    return EXIT_OK


def cmd_validate_id(args: argparse.Namespace) -> int:
    """Check an NHS or CHI number."""
    from mgso4.core.identifiers import check_identifier
    from mgso4.core.vocab import IdentifierType

    result = check_identifier(args.number, IdentifierType(args.type))
    data = result.as_cli_dict()
    if args.json:
        _print_json(data)
    else:
        print(
            ("valid" if result.valid else f"invalid: {result.reason}")
            + (" (synthetic test number)" if result.synthetic else "")
        )
    return EXIT_OK if result.valid else EXIT_PROBLEM


def cmd_protocols(args: argparse.Namespace) -> int:
    """List shipped protocols, or validate a protocol file and print every problem."""
    from mgso4.core.protocol import ProtocolError, load_protocol_file, unverified_values

    if args.check:
        path = Path(args.check)
        try:
            protocol = load_protocol_file(path)
        except ProtocolError as exc:
            if args.json:
                _print_json({"valid": False, "file": str(path), "problems": exc.problems})
            else:
                print(f"{path}: {len(exc.problems)} problem(s)")
                for problem in exc.problems:
                    print(f"  - {problem}")
            return EXIT_PROBLEM
        local = [
            f"{p}: {v.value} ({v.status.value}, {v.source})" for p, v in unverified_values(protocol)
        ]
        if args.json:
            _print_json(
                {
                    "valid": True,
                    "file": str(path),
                    "id": protocol.id,
                    "version": protocol.version,
                    "sha256": protocol.sha256,
                    "local_settings": local,
                }
            )
        else:
            print(f"{path}: valid — {protocol.id} {protocol.version} sha256 {protocol.sha256}")
            for line in local:
                print(f"  local setting: {line}")
        return EXIT_OK
    library = _protocol_library()
    rows = []
    for protocol in library.load_all().values():
        rows.append(
            {
                "id": protocol.id,
                "version": protocol.version,
                "name": protocol.name,
                "sha256": protocol.sha256,
                "bands": [
                    {"band": b.band.value, "from": b.start.label, "to": b.end.label}
                    for b in protocol.bands
                ],
                "local_settings": [p for p, _ in unverified_values(protocol)],
            }
        )
    if args.json:
        _print_json({"protocols": rows})
    else:
        for row in rows:
            bands = ", ".join(f"{b['band']} {b['from']}–{b['to']}" for b in row["bands"])
            print(f"{row['id']:<16} {row['version']:<8} {row['name']}  [{bands}]")
    return EXIT_OK


def cmd_gui(argv: Sequence[str]) -> int:
    """Open the app."""
    from mgso4.gui.app import main as gui_main

    return gui_main(list(argv))


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """The full command-line interface."""
    from mgso4 import __version__

    parser = _Parser(prog="mgso4", description="MgSO₄ Preterm Proforma")
    parser.add_argument("--version", action="version", version=f"mgso4 {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("assess", help="eligibility, recommendation and doses")
    dating = p.add_mutually_exclusive_group(required=True)
    dating.add_argument("--gestation", metavar="W+D")
    dating.add_argument("--edd", metavar="DATE")
    dating.add_argument("--lmp", metavar="DATE")
    p.add_argument("--on", metavar="DATETIME", help="assess as at this time (default now)")
    p.add_argument("--situation", required=True, choices=_situations())
    p.add_argument("--condition", action="append", default=[], choices=_conditions())
    p.add_argument("--medication", action="append", default=[], choices=_medications())
    p.add_argument("--preparation", metavar="ID")
    p.add_argument("--protocol", default="uk-nice-ng25", metavar="ID_OR_PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_assess)

    p = sub.add_parser("classify", help="audit classes for a birth")
    p.add_argument("--birth", required=True, metavar="DATETIME")
    at_birth = p.add_mutually_exclusive_group(required=True)
    at_birth.add_argument("--gestation-at-birth", metavar="W+D")
    at_birth.add_argument("--edd", metavar="DATE")
    p.add_argument("--load-start", metavar="DATETIME")
    p.add_argument("--stop", metavar="DATETIME")
    p.add_argument("--gestation-at-decision", metavar="W+D")
    p.add_argument("--situation", choices=_situations())
    p.add_argument("--protocol", default="uk-nice-ng25", metavar="ID_OR_PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_classify)

    p = sub.add_parser("validate-id", help="check an NHS or CHI number")
    p.add_argument("number")
    p.add_argument("--type", choices=["nhs", "chi"], default="nhs")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate_id)

    p = sub.add_parser("protocols", help="list shipped protocols or check a protocol file")
    p.add_argument("--check", metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_protocols)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


def _situations() -> list[str]:
    from mgso4.core.vocab import Situation

    return [s.value for s in Situation]


def _conditions() -> list[str]:
    from mgso4.core.vocab import ConditionId

    return [c.value for c in ConditionId]


def _medications() -> list[str]:
    from mgso4.core.vocab import MedicationId

    return [m.value for m in MedicationId]


#: Subcommand registrars added by the storage, report and audit command modules.
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``mgso4``."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] in _GUI_FLAGS:
        return cmd_gui(args_list)
    _register_extra_commands()
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


#: Flags that open the app rather than a subcommand.
_GUI_FLAGS = {"--db", "--training", "--protocol"}


def _register_extra_commands() -> None:
    if _EXTRA_COMMANDS:
        return
    from mgso4 import cli_commands

    _EXTRA_COMMANDS.extend(cli_commands.REGISTRARS)
