"""Audit subcommands: ``report``, ``export``, ``merge`` and ``demo-data``. Every command prints
one JSON object with ``--json``; files are written whole or not at all."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mgso4.cli.common import (
    EXIT_OK,
    EXIT_PROBLEM,
    StderrProgress,
    UsageError,
    audit_filters,
    checked_output,
    cli_actor,
    date_range,
    emit,
    existing_record,
    fail,
    local_anchors,
    positive_int,
    print_json,
)


def cmd_report(args: argparse.Namespace) -> int:
    """Uptake metrics (NNAP, QS135, BAPM/PERIPrem, ANZNN) for a date range and filters."""
    from mgso4.audit import AuditError, Cancelled, compute_metrics
    from mgso4.audit.export import verification_of
    from mgso4.storage import StoreError

    path = existing_record(args.db)
    date_from, date_to = date_range(args)
    try:
        verified, verification = verification_of(
            path, allow_unverified=args.allow_unverified, anchors=local_anchors(args.witnesses)
        )
        metrics = compute_metrics(
            path,
            date_from=date_from,
            date_to=date_to,
            filters=audit_filters(args),
            progress=StderrProgress(args.quiet),
        )
    except (AuditError, StoreError) as exc:
        return fail("report", str(exc))
    except (Cancelled, KeyboardInterrupt):
        return fail("report", "cancelled")
    data = metrics.as_dict(suppress_below=args.suppress_below, include_members=args.members)
    data["record_verification"] = verification
    if args.json:
        print_json(data)
    else:
        if not verified:
            print(f"WARNING: the record did not pass verification: {verification}")
        measures = data.get("measures")
        for name, value in (measures if isinstance(measures, dict) else {}).items():
            if isinstance(value, dict) and "numerator" in value:
                print(
                    f"{name:<28} {value['numerator']}/{value['denominator']}"
                    f"  {value.get('percentage')}%"
                )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Per-baby export (CSV, XLSX or FHIR R4): shareable unless another level is asked for."""
    import threading

    from mgso4.audit import (
        AuditError,
        Cancelled,
        ExportRequest,
        export_csv,
        export_fhir,
        export_xlsx,
        load_or_create_key,
    )
    from mgso4.audit.export import ExportLevel, dictionary_path_for, recorded_reason
    from mgso4.storage import StoreError

    path = existing_record(args.db)
    if args.identifiable and args.level not in (None, "identifiable"):
        raise UsageError("--identifiable", f"contradicts --level {args.level}")
    level = ExportLevel("identifiable" if args.identifiable else args.level or "shareable")
    if level is not ExportLevel.IDENTIFIABLE and (args.reason or args.purpose):
        raise UsageError(
            "--reason" if args.reason else "--purpose", "only used with --level identifiable"
        )
    if level is ExportLevel.IDENTIFIABLE:
        if not args.purpose:
            raise UsageError("--purpose", "an identifiable export needs its purpose (see --help)")
        try:
            recorded_reason(args.purpose, args.reason)
        except AuditError as exc:
            raise UsageError("--reason", str(exc)) from None
    if args.format == "fhir" and args.level is None and not args.identifiable:
        level = ExportLevel.PSEUDONYMISED  # FHIR carries clock times: never shareable
    companions = [dictionary_path_for(args.out)] if args.format == "csv" else []
    out = checked_output(args.out, force=args.force, db=args.db, companions=companions)
    date_from, date_to = date_range(args)
    exporter = {"csv": export_csv, "xlsx": export_xlsx, "fhir": export_fhir}[args.format]
    cancel = threading.Event()
    try:
        request = ExportRequest(
            level=level,
            purpose=args.purpose,
            reason=args.reason,
            key=load_or_create_key(),
            progress=StderrProgress(args.quiet),
            cancel=cancel,
            date_from=date_from,
            date_to=date_to,
            filters=audit_filters(args),
            recorded_by=cli_actor(args) if level is ExportLevel.IDENTIFIABLE else None,
            suppress_below=args.suppress_below,
            allow_unverified=args.allow_unverified,
            anchors=local_anchors(args.witnesses),
        )
        result = exporter(path, out, request)
    except KeyboardInterrupt:
        cancel.set()
        return fail("export", "cancelled; no file written")
    except Cancelled:
        return fail("export", "cancelled; no file written")
    except (AuditError, StoreError, OSError) as exc:
        return fail("export", str(exc))
    data = result.as_dict()
    message = f"Written {result.path} ({result.rows} rows, {result.level.value})"
    if not result.verified:
        message += "; WARNING: the record did not pass verification (see the file)"
    data["message"] = message
    return emit(data, EXIT_OK, args.json)


def _merge_into_server(args: argparse.Namespace) -> int:
    """``merge --into postgresql://…``: the ward PCs' record files into the unit record."""
    from mgso4.audit import AuditError, Cancelled
    from mgso4.audit.unit_record import merge_into_unit_record
    from mgso4.storage import StoreError
    from mgso4.storage.spec import server_location

    target = server_location(args.into)
    sources = [Path(s) for s in args.sources]
    for source in sources:
        if not source.is_file():
            raise UsageError("SOURCE", f"there is no record file at {source}")
    try:
        report, added = merge_into_unit_record(
            target, sources, progress=StderrProgress(args.quiet), trust=args.trust
        )
    except (AuditError, StoreError) as exc:
        return fail("merge", str(exc))
    except (Cancelled, KeyboardInterrupt):
        return fail("merge", "cancelled; nothing was added to the unit record")
    data = report.as_dict()
    data["added_to_server"] = added
    data["into"] = str(target)
    code = EXIT_OK if report.ok else EXIT_PROBLEM
    if args.json:
        print_json(data)
    else:
        for result in report.sources:
            item = result.as_dict()
            if item["ok"]:
                print(f"{item['path']}: verified and merged")
            else:
                print(f"{item['path']}: REFUSED — {item['refused']}")
        print(
            f"Added to the unit record {target}: {added['episodes']} episodes, "
            f"{added['events']} entries, {added['keys']} keys, {added['signatures']} signatures"
        )
    return code


def cmd_merge(args: argparse.Namespace) -> int:
    """Merge ward PCs' records into one unit record; broken, untrusted or conflicting sources
    are refused whole before anything of them is written."""
    from mgso4.audit import AuditError, Cancelled, merge_into
    from mgso4.audit.merge import merge_target_refusal
    from mgso4.storage import StoreError
    from mgso4.storage.spec import is_server_spec

    if is_server_spec(args.into):
        return _merge_into_server(args)
    target = Path(args.into)
    sources = [Path(s) for s in args.sources]
    for source in sources:
        if not source.is_file():
            raise UsageError("SOURCE", f"there is no record file at {source}")
        if target.exists() and source.resolve() == target.resolve():
            raise UsageError("--into", "the target cannot also be a source")
    refusal = merge_target_refusal(target)
    if refusal is not None:
        raise UsageError("--into", refusal)
    try:
        report = merge_into(target, sources, progress=StderrProgress(args.quiet), trust=args.trust)
    except (AuditError, StoreError) as exc:
        return fail("merge", str(exc))
    except (Cancelled, KeyboardInterrupt):
        return fail("merge", "cancelled; sources not yet merged were left out")
    data = report.as_dict()
    code = EXIT_OK if report.ok else EXIT_PROBLEM
    if args.json:
        print_json(data)
    else:
        for result in report.sources:
            item = result.as_dict()
            if item["ok"]:
                print(
                    f"{item['path']}: {item['events_added']} entries added, "
                    f"{item['events_skipped']} already there"
                )
            else:
                print(f"{item['path']}: REFUSED — {item['refused']}")
                for message in result.messages[:10]:
                    print(f"  - {message}")
    return code


def cmd_demo_data(args: argparse.Namespace) -> int:
    """Synthetic demo episodes (9... identifiers) in a NEW record file."""
    from mgso4.audit import AuditError, Cancelled, write_demo_data
    from mgso4.storage import StoreError

    path = Path(args.db)
    if path.exists():
        raise UsageError("--db", f"{path} exists; demo data is only written to a new file")
    if args.episodes < 1:
        raise UsageError("--episodes", "must be at least 1")
    try:
        report = write_demo_data(
            path, episodes=args.episodes, seed=args.seed, progress=StderrProgress(args.quiet)
        )
    except (AuditError, StoreError) as exc:
        return fail("demo-data", str(exc))
    except (Cancelled, KeyboardInterrupt):
        return fail("demo-data", "cancelled; no file written")
    data = report.as_dict()
    data["message"] = f"Written {args.episodes} demo episodes to {path}"
    return emit(data, EXIT_OK, args.json)


def _add_verification(p: Any) -> None:
    p.add_argument(
        "--allow-unverified",
        action="store_true",
        help="use a record that fails verification (the output says so)",
    )
    p.add_argument(
        "--witnesses", action="append", default=[], metavar="DIR", help="chain-head witnesses"
    )


def _add_audit_selection(p: Any) -> None:
    from mgso4.audit import GestationBand, OutcomeFilter

    p.add_argument("--from", dest="date_from", metavar="DATE", help="births on or after (local)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="births on or before (local)")
    p.add_argument("--band", action="append", default=[], choices=[b.value for b in GestationBand])
    p.add_argument("--outcome", default="all", choices=[o.value for o in OutcomeFilter])
    p.add_argument("--workstation", action="append", default=[], metavar="ID")
    p.add_argument("--include-training", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def register(sub: Any) -> None:
    """Add report, export, merge and demo-data."""
    from mgso4.audit.export import DEFAULT_SUPPRESS_BELOW, ExportLevel, ExportPurpose

    p = sub.add_parser("report", help="uptake metrics for a date range")
    p.add_argument("--db", metavar="PATH")
    _add_audit_selection(p)
    p.add_argument(
        "--suppress-below", type=positive_int, metavar="K", help="show counts below K as <K"
    )
    p.add_argument("--members", action="store_true", help="list the babies behind each number")
    _add_verification(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", help="per-baby export, shareable (no clock times) by default")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--format", required=True, choices=["csv", "xlsx", "fhir"])
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.add_argument(
        "--level",
        choices=[level.value for level in ExportLevel],
        help="shareable (default: leaves the unit), pseudonymised (the unit's own audit), "
        "identifiable (needs --purpose and --reason; logged)",
    )
    p.add_argument("--identifiable", action="store_true", help="the same as --level identifiable")
    p.add_argument("--purpose", choices=[purpose.value for purpose in ExportPurpose])
    p.add_argument("--reason", metavar="TEXT", help="why an identifiable export is needed")
    p.add_argument(
        "--suppress-below",
        type=positive_int,
        default=DEFAULT_SUPPRESS_BELOW,
        metavar="K",
        help=f"shareable: withhold a birth month or band fewer than K babies share "
        f"(default {DEFAULT_SUPPRESS_BELOW})",
    )
    _add_verification(p)
    p.add_argument("--by", metavar="NAME", help="who is exporting (logged)")
    p.add_argument("--role", default="auditor", help="role of who is exporting")
    _add_audit_selection(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("merge", help="merge several ward PCs' records into one")
    p.add_argument("--into", required=True, metavar="UNIT.db")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="FINGERPRINT",
        help="accept (and remember) a workstation key not yet known here, once its fingerprint "
        "is checked on the PC that wrote the file; a workstation id accepts its unsigned entries",
    )
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("demo-data", help="write synthetic demo episodes to a new record")
    p.add_argument("--db", required=True, metavar="PATH")
    p.add_argument("--episodes", type=int, required=True, metavar="N")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo_data)
