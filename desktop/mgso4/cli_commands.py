"""Subcommands that need the record store, the reports or the audit package.

Kept apart from ``cli`` so that ``mgso4 assess`` never imports SQLite or reportlab. Every
command prints one JSON object with ``--json``; files are written whole or not at all.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mgso4.cli import (
    EXIT_OK,
    EXIT_PROBLEM,
    UsageError,
    _db_path,
    _load_preparations,
    _load_protocol,
    _now,
    _parse_date,
    _print_json,
    _protocol_library,
)


def _emit(data: dict[str, Any], code: int, as_json: bool) -> int:
    if as_json:
        _print_json(data)
    else:
        print(data.get("message") or ("ok" if code == EXIT_OK else "problems found"))
        for problem in data.get("problems", []) if code != EXIT_OK else []:
            print(f"  - {problem}")
    return code


def _cli_actor(args: argparse.Namespace) -> Any:
    from mgso4.core.episode import Actor
    from mgso4.core.vocab import Role

    name = args.by or getpass.getuser() or "command line"
    try:
        return Actor(name=name, role=Role(args.role))
    except ValueError as exc:
        raise UsageError("--by", str(exc)) from None


# --------------------------------------------------------------------------- store


def cmd_verify(args: argparse.Namespace) -> int:
    """Integrity check, hash chains, SQLite version and journal mode; exit 1 on any problem."""
    from mgso4.storage.cli_support import verify_report_json

    path = _db_path(args.db)
    data, code = verify_report_json(path)
    if args.json:
        _print_json(data)
        return code
    if "message" in data and not data.get("ok", False) and "integrity" not in data:
        print(data["message"])
        return code
    print(f"Record: {path}")
    print(f"  SQLite {data.get('sqlite_version')} — journal mode {data.get('journal_mode')}")
    print(f"  integrity_check: {data.get('integrity')}")
    counts = data.get("counts", {})
    print("  " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    for problem in data.get("problems", []):
        print(f"  PROBLEM: {problem}")
    print("  OK: every chain verifies" if code == EXIT_OK else "  NOT OK")
    return code


def cmd_backup(args: argparse.Namespace) -> int:
    """A verified backup through SQLite's backup API, rotated."""
    from mgso4.storage.cli_support import backup_to

    data, code = backup_to(_db_path(args.db), Path(args.to), keep=args.keep)
    return _emit(data, code, args.json)


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a verified backup; an existing file is moved aside, never overwritten."""
    from mgso4.storage.cli_support import restore

    data, code = restore(Path(args.backup), Path(args.to), overwrite=args.replace)
    return _emit(data, code, args.json)


# --------------------------------------------------------------------------- proforma


def cmd_proforma(args: argparse.Namespace) -> int:
    """Completed proforma, blank downtime proforma or transfer handover as PDF."""
    from mgso4.core.protocol import ProtocolError
    from mgso4.reports import (
        ReportInputError,
        render_blank,
        render_handover,
        render_proforma,
        write_pdf_atomically,
    )
    from mgso4.settings import SettingsError, load_settings

    out = Path(args.out)
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise UsageError("settings", str(exc)) from None
    unit_name = args.unit or settings.unit_name
    preparations = _load_preparations()
    if args.blank:
        protocol = _load_protocol(args.protocol or settings.protocol)
        preparation = args.preparation or settings.default_preparation
        if preparation not in preparations.ids:
            raise UsageError(
                "--preparation", f"{preparation!r} is not one of {', '.join(preparations.ids)}"
            )
        pdf = render_blank(protocol, preparations, preparation, unit_name=unit_name)
        write_pdf_atomically(pdf, out)
        return _emit({"ok": True, "out": str(out), "message": f"Written {out}"}, EXIT_OK, args.json)

    if not args.episode:
        raise UsageError("--episode", "give the episode id (or use --blank)")
    from mgso4.core.episode import EventDraft, EventType, Printed, ProtocolRef
    from mgso4.storage import Store, StoreError

    path = _db_path(args.db)
    actor = _cli_actor(args)
    try:
        with Store.open(path) as store:
            try:
                state = store.episode(args.episode)
            except StoreError as exc:
                raise UsageError("--episode", str(exc)) from None
            try:
                protocol = _protocol_library().load(state.protocol_id)
            except ProtocolError as exc:
                raise UsageError("--protocol", "; ".join(exc.problems)) from None
            if protocol.sha256 != state.protocol_sha256:
                print(
                    f"mgso4 proforma: warning: protocol {state.protocol_id} has changed since "
                    f"this episode started (hash {state.protocol_sha256[:12]} then, "
                    f"{protocol.short_hash} now); the record's hash is printed.",
                    file=sys.stderr,
                )
            chain_head = store.chain_head()
            printed_at = _now()
            render = render_handover if args.handover else render_proforma
            try:
                pdf = render(
                    state,
                    protocol,
                    preparations,
                    unit_name=unit_name,
                    chain_head=chain_head,
                    printed_at=printed_at,
                )
            except ReportInputError as exc:
                raise UsageError("--episode", str(exc)) from None
            write_pdf_atomically(pdf, out)
            document = "handover" if args.handover else "proforma"
            store.append(
                EventDraft.make(
                    EventType.PRINTED,
                    Printed(document=document, chain_head=chain_head),
                    episode_uuid=state.uuid,
                    occurred_at=printed_at,
                    recorded_by=actor,
                ),
                ProtocolRef(
                    id=state.protocol_id,
                    version=state.protocol_version,
                    sha256=state.protocol_sha256,
                ),
            )
    except StoreError as exc:
        print(f"mgso4 proforma: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    data = {"ok": True, "out": str(out), "chain_head": chain_head, "message": f"Written {out}"}
    return _emit(data, EXIT_OK, args.json)


# --------------------------------------------------------------------------- audit


class _StderrProgress:
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


def _audit_filters(args: argparse.Namespace) -> Any:
    from mgso4.audit import Filters, GestationBand, OutcomeFilter

    return Filters(
        bands=frozenset(GestationBand(b) for b in args.band),
        outcome=OutcomeFilter(args.outcome),
        workstations=frozenset(args.workstation),
        include_training=args.include_training,
    )


def _date_range(args: argparse.Namespace) -> tuple[Any, Any]:
    date_from = _parse_date(args.date_from, "--from") if args.date_from else None
    date_to = _parse_date(args.date_to, "--to") if args.date_to else None
    if date_from is not None and date_to is not None and date_from > date_to:
        raise UsageError("--from", f"{date_from} is after --to {date_to}")
    return date_from, date_to


def _existing_record(value: str | None) -> Path:
    path = _db_path(value)
    if not path.is_file():
        raise UsageError("--db", f"there is no record file at {path}")
    return path


def cmd_report(args: argparse.Namespace) -> int:
    """Uptake metrics (NNAP, QS135, BAPM/PERIPrem, ANZNN) for a date range and filters."""
    from mgso4.audit import AuditError, Cancelled, compute_metrics
    from mgso4.storage import StoreError

    path = _existing_record(args.db)
    date_from, date_to = _date_range(args)
    try:
        metrics = compute_metrics(
            path,
            date_from=date_from,
            date_to=date_to,
            filters=_audit_filters(args),
            progress=_StderrProgress(args.quiet),
        )
    except (AuditError, StoreError) as exc:
        print(f"mgso4 report: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except (Cancelled, KeyboardInterrupt):
        print("mgso4 report: cancelled", file=sys.stderr)
        return EXIT_PROBLEM
    data = metrics.as_dict(suppress_below=args.suppress_below, include_members=args.members)
    if args.json:
        _print_json(data)
    else:
        for name, value in data.get("measures", {}).items():
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

    path = _existing_record(args.db)
    if args.identifiable and not (args.reason or "").strip():
        raise UsageError("--reason", "an identifiable export needs a stated reason")
    if args.reason and not args.identifiable:
        raise UsageError("--reason", "only used with --identifiable")
    date_from, date_to = _date_range(args)
    exporter = {"csv": export_csv, "xlsx": export_xlsx, "fhir": export_fhir}[args.format]
    cancel = threading.Event()
    try:
        result = exporter(
            path,
            Path(args.out),
            identifiable=args.identifiable,
            reason=args.reason,
            key=load_or_create_key(),
            progress=_StderrProgress(args.quiet),
            cancel=cancel,
            date_from=date_from,
            date_to=date_to,
            filters=_audit_filters(args),
            recorded_by=_cli_actor(args) if args.identifiable else None,
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
    return _emit(data, EXIT_OK, args.json)


def cmd_merge(args: argparse.Namespace) -> int:
    """Merge ward PCs' records into one unit record; broken sources are refused."""
    from mgso4.audit import AuditError, Cancelled, merge_into
    from mgso4.storage import StoreError

    target = Path(args.into)
    sources = [Path(s) for s in args.sources]
    for source in sources:
        if not source.is_file():
            raise UsageError("SOURCE", f"there is no record file at {source}")
        if source.resolve() == target.resolve():
            raise UsageError("--into", "the target cannot also be a source")
    try:
        report = merge_into(target, sources, progress=_StderrProgress(args.quiet))
    except (AuditError, StoreError) as exc:
        print(f"mgso4 merge: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except (Cancelled, KeyboardInterrupt):
        print("mgso4 merge: cancelled; sources not yet merged were left out", file=sys.stderr)
        return EXIT_PROBLEM
    data = report.as_dict()
    code = EXIT_OK if report.ok else EXIT_PROBLEM
    if args.json:
        _print_json(data)
    else:
        for source in report.sources:
            item = source.as_dict()
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
            path, episodes=args.episodes, seed=args.seed, progress=_StderrProgress(args.quiet)
        )
    except (AuditError, StoreError) as exc:
        print(f"mgso4 demo-data: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except (Cancelled, KeyboardInterrupt):
        print("mgso4 demo-data: cancelled", file=sys.stderr)
        return EXIT_PROBLEM
    data = report.as_dict()
    data["message"] = f"Written {args.episodes} demo episodes to {path}"
    return _emit(data, EXIT_OK, args.json)


def _add_audit_selection(p: Any) -> None:
    from mgso4.audit import GestationBand, OutcomeFilter

    p.add_argument("--from", dest="date_from", metavar="DATE", help="births on or after (local)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="births on or before (local)")
    p.add_argument("--band", action="append", default=[], choices=[b.value for b in GestationBand])
    p.add_argument("--outcome", default="all", choices=[o.value for o in OutcomeFilter])
    p.add_argument("--workstation", action="append", default=[], metavar="ID")
    p.add_argument("--include-training", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _register_audit(sub: Any) -> None:
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


# --------------------------------------------------------------------------- registration


def _register_store(sub: Any) -> None:
    p = sub.add_parser("verify", help="check the record: integrity, hash chains, journal mode")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("backup", help="write a verified backup of the record")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--to", required=True, metavar="DIR")
    p.add_argument("--keep", type=int, default=14, metavar="N")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a verified backup to a record file")
    p.add_argument("backup", metavar="BACKUP")
    p.add_argument("--to", required=True, metavar="PATH")
    p.add_argument(
        "--replace",
        action="store_true",
        help="if PATH exists, move it aside (kept as PATH.replaced-<time>) and restore",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_restore)


def _register_proforma(sub: Any) -> None:
    p = sub.add_parser("proforma", help="completed, blank or handover PDF")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--blank", action="store_true", help="blank downtime proforma")
    kind.add_argument("--handover", action="store_true", help="in-utero transfer handover")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--episode", metavar="UUID")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--protocol", metavar="ID_OR_PATH", help="for --blank (default: settings)")
    p.add_argument("--preparation", metavar="ID", help="for --blank (default: settings)")
    p.add_argument("--unit", metavar="NAME", help="unit name printed in the header")
    p.add_argument("--by", metavar="NAME", help="who printed it (logged)")
    p.add_argument("--role", default="other", help="role of who printed it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_proforma)


REGISTRARS: list[Callable[[Any], None]] = [_register_store, _register_proforma, _register_audit]
