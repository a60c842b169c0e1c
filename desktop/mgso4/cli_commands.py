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


REGISTRARS: list[Callable[[Any], None]] = [_register_store, _register_proforma]
