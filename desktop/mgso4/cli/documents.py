"""``mgso4 proforma``: the completed, blank downtime, handover or neonatal slip PDF. Files are
written whole or not at all."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mgso4.cli.common import (
    EXIT_OK,
    UsageError,
    checked_output,
    cli_actor,
    emit,
    existing_record,
    fail,
    load_preparations,
    load_protocol,
    now,
    protocol_library,
)


def cmd_proforma(args: argparse.Namespace) -> int:
    """Completed proforma, blank downtime proforma or transfer handover as PDF."""
    from mgso4.core.protocol import ProtocolError
    from mgso4.reports import (
        ReportInputError,
        render_blank,
        render_handover,
        render_neonatal_slip,
        render_proforma,
        write_pdf_atomically,
    )
    from mgso4.settings import SettingsError, backup_folder, load_settings

    out = checked_output(args.out, force=args.force, db=args.db)
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise UsageError("settings", str(exc)) from None
    unit_name = args.unit or settings.unit_name
    preparations = load_preparations()
    if args.blank:
        protocol = load_protocol(args.protocol or settings.protocol)
        preparation = args.preparation or settings.default_preparation
        if preparation not in preparations.ids:
            raise UsageError(
                "--preparation", f"{preparation!r} is not one of {', '.join(preparations.ids)}"
            )
        pdf = render_blank(protocol, preparations, preparation, unit_name=unit_name)
        write_pdf_atomically(pdf, out)
        return emit({"ok": True, "out": str(out), "message": f"Written {out}"}, EXIT_OK, args.json)

    if not args.episode:
        raise UsageError("--episode", "give the episode id (or use --blank)")
    from mgso4.core.episode import EventDraft, EventType, Printed
    from mgso4.storage import StoreError, open_record

    path = existing_record(args.db)
    actor = cli_actor(args)
    try:
        # Backups' folder: a witness of the chain head logged with the print is written there.
        with open_record(path, backup_dir=backup_folder(settings)) as store:
            try:
                state = store.episode(args.episode)
            except StoreError as exc:
                raise UsageError("--episode", str(exc)) from None
            try:
                protocol = protocol_library().load(state.protocol_id)
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
            printed_at = now()
            try:
                if args.slip:
                    pdf = render_neonatal_slip(
                        state,
                        protocol,
                        unit_name=unit_name,
                        chain_head=chain_head,
                        printed_at=printed_at,
                        baby=args.baby,
                    )
                else:
                    render = render_handover if args.handover else render_proforma
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
            document = (
                "neonatal-slip" if args.slip else ("handover" if args.handover else "proforma")
            )
            store.append(
                EventDraft.make(
                    EventType.PRINTED,
                    Printed(document=document, chain_head=chain_head),
                    episode_uuid=state.uuid,
                    occurred_at=printed_at,
                    recorded_by=actor,
                ),
                protocol,
            )
    except StoreError as exc:
        return fail("proforma", str(exc))
    data = {"ok": True, "out": str(out), "chain_head": chain_head, "message": f"Written {out}"}
    return emit(data, EXIT_OK, args.json)


def register(sub: Any) -> None:
    """Add proforma."""
    p = sub.add_parser("proforma", help="completed, blank, handover or neonatal slip PDF")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--blank", action="store_true", help="blank downtime proforma")
    kind.add_argument("--handover", action="store_true", help="in-utero transfer handover")
    kind.add_argument(
        "--slip", action="store_true", help="neonatal data slip, one third of a page per baby"
    )
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--episode", metavar="UUID")
    p.add_argument("--baby", type=int, metavar="N", help="for --slip: only this baby")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument("--force", action="store_true", help="replace FILE.pdf if it exists")
    p.add_argument("--protocol", metavar="ID_OR_PATH", help="for --blank (default: settings)")
    p.add_argument("--preparation", metavar="ID", help="for --blank (default: settings)")
    p.add_argument("--unit", metavar="NAME", help="unit name printed in the header")
    p.add_argument("--by", metavar="NAME", help="who printed it (logged)")
    p.add_argument("--role", default="other", help="role of who printed it")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_proforma)
