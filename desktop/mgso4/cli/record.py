"""Subcommands over the record file itself: ``verify``, ``backup`` and ``restore``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mgso4.cli.common import EXIT_OK, db_path, emit, local_anchors, positive_int, print_json


def cmd_verify(args: argparse.Namespace) -> int:
    """Integrity, hash chains, signatures, keys and witnesses; exit 1 on any problem."""
    from mgso4.storage.cli_support import EXIT_FAILED, verify_report_json

    anchors = local_anchors(args.witnesses)
    path = db_path(args.db)
    data, code = verify_report_json(path, anchors=anchors, expected_heads=args.expect_head)
    if code == EXIT_FAILED:
        return emit(data, code, args.json, "verify")
    if args.json:
        print_json(data)
        return code
    if "message" in data and not data.get("ok", False) and "integrity" not in data:
        print(data["message"])
        return code
    print(f"Record: {path}")
    print(f"  SQLite {data.get('sqlite_version')} — journal mode {data.get('journal_mode')}")
    print(f"  integrity_check: {data.get('integrity')}")
    counts = data.get("counts", {})
    print("  " + ", ".join(f"{k}: {v}" for k, v in counts.items()))
    for key in data.get("keys", []):
        print(
            f"  key of workstation {key['workstation_id']} from entry {key['from_seq']}: "
            f"{key['fingerprint']} — {key['confirmed_by'] or 'NOT CONFIRMED outside the record'}"
        )
    for note in data.get("notes", []):
        print(f"  NOTE: {note}")
    for problem in data.get("problems", []):
        print(f"  PROBLEM: {problem}")
    print(
        "  OK: every chain, signature, key and witness checks out"
        if code == EXIT_OK
        else "  NOT OK"
    )
    return code


def cmd_backup(args: argparse.Namespace) -> int:
    """A verified backup through SQLite's backup API, rotated."""
    from mgso4.storage.cli_support import backup_to

    data, code = backup_to(db_path(args.db), Path(args.to), keep=args.keep)
    return emit(data, code, args.json, "backup")


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore a verified backup; an existing file is moved aside, never overwritten."""
    from mgso4.storage.cli_support import restore

    data, code = restore(Path(args.backup), db_path(args.to), overwrite=args.replace)
    return emit(data, code, args.json, "restore")


def register(sub: Any) -> None:
    """Add verify, backup and restore."""
    p = sub.add_parser(
        "verify", help="check the record: integrity, hash chains, signatures, keys, witnesses"
    )
    p.add_argument("--db", metavar="PATH")
    p.add_argument(
        "--witnesses",
        action="append",
        default=[],
        metavar="DIR",
        help="another folder of chain-head witnesses (the backup folders are always read)",
    )
    p.add_argument(
        "--expect-head",
        action="append",
        default=[],
        metavar="HASH",
        help="a chain head printed on a document (at least its first 12 hex digits)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("backup", help="write a verified backup of the record")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--to", required=True, metavar="DIR")
    p.add_argument("--keep", type=positive_int, default=14, metavar="N")
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
