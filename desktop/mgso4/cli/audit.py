"""Audit subcommands: ``report``, ``export``, ``merge`` and ``demo-data``. Every command prints
one JSON object with ``--json``; files are written whole or not at all."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mgso4.cli.common import (
    EXIT_OK,
    EXIT_PROBLEM,
    StderrProgress,
    UsageError,
    audit_filters,
    cli_actor,
    date_range,
    emit,
    existing_record,
    print_json,
)


def cmd_report(args: argparse.Namespace) -> int:
    """Uptake metrics (NNAP, QS135, BAPM/PERIPrem, ANZNN) for a date range and filters."""
    from mgso4.audit import AuditError, Cancelled, compute_metrics
    from mgso4.storage import StoreError

    path = existing_record(args.db)
    date_from, date_to = date_range(args)
    try:
        metrics = compute_metrics(
            path,
            date_from=date_from,
            date_to=date_to,
            filters=audit_filters(args),
            progress=StderrProgress(args.quiet),
        )
    except (AuditError, StoreError) as exc:
        print(f"mgso4 report: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except (Cancelled, KeyboardInterrupt):
        print("mgso4 report: cancelled", file=sys.stderr)
        return EXIT_PROBLEM
    data = metrics.as_dict(suppress_below=args.suppress_below, include_members=args.members)
    if args.json:
        print_json(data)
    else:
        measures = data.get("measures")
        for name, value in (measures if isinstance(measures, dict) else {}).items():
            if isinstance(value, dict) and "numerator" in value:
                print(
                    f"{name:<28} {value['numerator']}/{value['denominator']}"
                    f"  {value.get('percentage')}%"
                )
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Per-baby export (CSV, XLSX or FHIR R4), de-identified unless --identifiable."""
    import threading

    from mgso4.audit import (
        AuditError,
        Cancelled,
        export_csv,
        export_fhir,
        export_xlsx,
        load_or_create_key,
    )
    from mgso4.storage import StoreError

    path = existing_record(args.db)
    if args.identifiable and not (args.reason or "").strip():
        raise UsageError("--reason", "an identifiable export needs a stated reason")
    if args.reason and not args.identifiable:
        raise UsageError("--reason", "only used with --identifiable")
    date_from, date_to = date_range(args)
    exporter = {"csv": export_csv, "xlsx": export_xlsx, "fhir": export_fhir}[args.format]
    cancel = threading.Event()
    try:
        result = exporter(
            path,
            Path(args.out),
            identifiable=args.identifiable,
            reason=args.reason,
            key=load_or_create_key(),
            progress=StderrProgress(args.quiet),
            cancel=cancel,
            date_from=date_from,
            date_to=date_to,
            filters=audit_filters(args),
            recorded_by=cli_actor(args) if args.identifiable else None,
        )
    except KeyboardInterrupt:
        cancel.set()
        print("mgso4 export: cancelled; no file written", file=sys.stderr)
        return EXIT_PROBLEM
    except Cancelled:
        print("mgso4 export: cancelled; no file written", file=sys.stderr)
        return EXIT_PROBLEM
    except (AuditError, StoreError, OSError) as exc:
        print(f"mgso4 export: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    data = result.as_dict()
    data["message"] = f"Written {result.path} ({result.rows} rows)"
    return emit(data, EXIT_OK, args.json)


def cmd_merge(args: argparse.Namespace) -> int:
    """Merge ward PCs' records into one unit record; broken sources are refused."""
    from mgso4.audit import AuditError, Cancelled, merge_into
    from mgso4.storage import StoreError
    from mgso4.storage.live import why_not_merge_into

    target = Path(args.into)
    refusal = why_not_merge_into(target)
    if refusal is not None:
        raise UsageError("--into", refusal)
    sources = [Path(s) for s in args.sources]
    for source in sources:
        if not source.is_file():
            raise UsageError("SOURCE", f"there is no record file at {source}")
        if source.resolve() == target.resolve():
            raise UsageError("--into", "the target cannot also be a source")
    try:
        report = merge_into(target, sources, progress=StderrProgress(args.quiet))
    except (AuditError, StoreError) as exc:
        print(f"mgso4 merge: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except (Cancelled, KeyboardInterrupt):
        print("mgso4 merge: cancelled; sources not yet merged were left out", file=sys.stderr)
        return EXIT_PROBLEM
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
                    f"{item['events_skipped']} already there, {item['conflicts']} conflicts"
                )
            else:
                print(f"{item['path']}: REFUSED — {item['refused']}")
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
        print(f"mgso4 demo-data: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except (Cancelled, KeyboardInterrupt):
        print("mgso4 demo-data: cancelled", file=sys.stderr)
        return EXIT_PROBLEM
    data = report.as_dict()
    data["message"] = f"Written {args.episodes} demo episodes to {path}"
    return emit(data, EXIT_OK, args.json)


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
    p = sub.add_parser("report", help="uptake metrics for a date range")
    p.add_argument("--db", metavar="PATH")
    _add_audit_selection(p)
    p.add_argument("--suppress-below", type=int, metavar="K", help="show counts below K as <K")
    p.add_argument("--members", action="store_true", help="list the babies behind each number")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", help="per-baby export, de-identified by default")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--format", required=True, choices=["csv", "xlsx", "fhir"])
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--identifiable", action="store_true", help="keep identifiers (logged)")
    p.add_argument("--reason", metavar="TEXT", help="why an identifiable export is needed")
    p.add_argument("--by", metavar="NAME", help="who is exporting (logged)")
    p.add_argument("--role", default="auditor", help="role of who is exporting")
    _add_audit_selection(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("merge", help="merge several ward PCs' records into one")
    p.add_argument("--into", required=True, metavar="UNIT.db")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
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
