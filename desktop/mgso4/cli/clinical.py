"""Clinical subcommands that need no record: ``assess``, ``classify``, ``validate-id`` and
``protocols``. They never import SQLite or reportlab.
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import Any

from mgso4.cli.common import (
    EXIT_OK,
    EXIT_PROBLEM,
    UsageError,
    conditions,
    load_preparations,
    load_protocol,
    local_date,
    medications,
    now,
    parse_date,
    parse_datetime,
    parse_gestation,
    print_json,
    protocol_library,
    situations,
)


def cmd_assess(args: argparse.Namespace) -> int:
    """Eligibility and doses for one woman now (or at --on)."""
    from mgso4.core.eligibility import AssessmentInputs, assess
    from mgso4.core.gestation import DatingMethod, GestationalAge, GestationError
    from mgso4.core.protocol import ProtocolError
    from mgso4.core.vocab import ConditionId, MedicationId, Situation

    protocol = load_protocol(args.protocol)
    preparations = load_preparations()
    on_dt = parse_datetime(args.on, "--on") if args.on else now()
    on = local_date(on_dt)
    try:
        if args.gestation is not None:
            gestation = parse_gestation(args.gestation, "--gestation")
            method = DatingMethod.WEEKS_DAYS
        elif args.edd is not None:
            gestation = GestationalAge.from_edd(parse_date(args.edd, "--edd"), on)
            method = DatingMethod.AGREED_EDD
        else:
            gestation = GestationalAge.from_lmp(parse_date(args.lmp, "--lmp"), on)
            method = DatingMethod.LMP
    except (GestationError, OverflowError, ValueError) as exc:
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
        print_json(data)
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

    birth = parse_datetime(args.birth, "--birth")
    if args.gestation_at_birth is not None:
        at_birth = parse_gestation(args.gestation_at_birth, "--gestation-at-birth")
    else:
        try:
            at_birth = GestationalAge.from_edd(parse_date(args.edd, "--edd"), local_date(birth))
        except (GestationError, OverflowError, ValueError) as exc:
            raise UsageError("--edd", str(exc)) from None
    at_decision = (
        parse_gestation(args.gestation_at_decision, "--gestation-at-decision")
        if args.gestation_at_decision
        else None
    )
    courses = []
    if args.load_start:
        load_start = parse_datetime(args.load_start, "--load-start")
        stop = parse_datetime(args.stop, "--stop") if args.stop else None
        if stop is not None and stop < load_start:
            raise UsageError("--stop", "the infusion cannot stop before the load started")
        courses.append(Course(load_start=load_start, stop=stop))
    elif args.stop:
        raise UsageError("--stop", "needs --load-start (when the course started)")
    try:
        result = classify(
            birth_at=birth,
            gestation_at_birth=at_birth,
            courses=courses,
            gestation_at_decision=at_decision,
            situation=Situation(args.situation) if args.situation else None,
        )
    except ValueError as exc:
        which = "--gestation-at-decision" if "decision" in str(exc) else "--birth"
        raise UsageError(which, str(exc)) from None
    data = result.as_cli_dict()
    if args.json:
        print_json(data)
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
        print_json(data)
    else:
        print(
            ("valid" if result.valid else f"invalid: {result.reason}")
            + (" (synthetic test number)" if result.synthetic else "")
        )
    return EXIT_OK if result.valid else EXIT_PROBLEM


def cmd_protocols(args: argparse.Namespace) -> int:
    """List shipped protocols, or validate a protocol file and print every problem."""
    from mgso4.core.protocol import ProtocolError, unverified_values

    if args.check:
        path = Path(args.check)
        try:
            if not path.is_file():
                raise ProtocolError(str(path), [f"(file): there is no file at {path}"])
            # Through the library, so a copy passing for a shipped protocol is refused too.
            protocol = protocol_library().load(str(path))
        except ProtocolError as exc:
            if args.json:
                print_json({"valid": False, "file": str(path), "problems": exc.problems})
            else:
                print(f"{path}: {len(exc.problems)} problem(s)")
                for problem in exc.problems:
                    print(f"  - {problem}")
            return EXIT_PROBLEM
        local = [
            f"{p}: {v.value} ({v.status.value}, {v.source})" for p, v in unverified_values(protocol)
        ]
        if args.json:
            print_json(
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
    library = protocol_library()
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
        print_json({"protocols": rows})
    else:
        for row in rows:
            bands = ", ".join(f"{b['band']} {b['from']}–{b['to']}" for b in row["bands"])
            print(f"{row['id']:<16} {row['version']:<8} {row['name']}  [{bands}]")
    return EXIT_OK


def register(sub: Any) -> None:
    """Add the clinical subcommands."""
    p = sub.add_parser("assess", help="eligibility, recommendation and doses")
    dating = p.add_mutually_exclusive_group(required=True)
    dating.add_argument("--gestation", metavar="W+D")
    dating.add_argument("--edd", metavar="DATE")
    dating.add_argument("--lmp", metavar="DATE")
    p.add_argument("--on", metavar="DATETIME", help="assess as at this time (default now)")
    p.add_argument("--situation", required=True, choices=situations())
    p.add_argument("--condition", action="append", default=[], choices=conditions())
    p.add_argument("--medication", action="append", default=[], choices=medications())
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
    p.add_argument("--situation", choices=situations())
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
