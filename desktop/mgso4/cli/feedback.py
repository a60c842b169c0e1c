"""``mgso4 feedback`` (the team's monthly feedback sheet, a one-page de-identified PDF) and
``mgso4 periprem`` (a month's rows for the PERIPrem Optimisation Tool, per unit). Files are
written whole or not at all; the sheet is logged in the record as an export."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from mgso4.cli.common import (
    EXIT_OK,
    EXIT_PROBLEM,
    StderrProgress,
    UsageError,
    cli_actor,
    emit,
    existing_record,
    load_protocol,
    local_date,
    now,
)


def write_output(data: bytes, out: Path) -> Path:
    """Write the sheet (the one place a feedback PDF reaches the disk: whole or not at all)."""
    from mgso4.reports import write_pdf_atomically

    return write_pdf_atomically(data, out)


def parse_month(text: str, today: date) -> Any:
    """``--month YYYY-MM``: a month that has begun (local calendar)."""
    from mgso4.audit.feedback import YearMonth

    try:
        month = YearMonth.parse(text)
    except ValueError as exc:
        raise UsageError("--month", str(exc)) from None
    if month > YearMonth.of(today):
        raise UsageError("--month", f"{month.iso} has not begun yet")
    return month


def _settings() -> Any:
    from mgso4.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        raise UsageError("settings", str(exc)) from None


def cmd_feedback(args: argparse.Namespace) -> int:
    """The team's monthly feedback sheet for one month, as a one-page PDF."""
    from mgso4.audit import AuditError, Cancelled, load_audit_data, load_or_create_key
    from mgso4.audit.feedback import (
        MAX_NOTE_LENGTH,
        ChartPeriod,
        FeedbackOptions,
        build_feedback,
    )
    from mgso4.audit.feedback_pdf import feedback_pdf
    from mgso4.audit.spc import SpcSettings
    from mgso4.audit.sql import chain_heads
    from mgso4.core.episode import EventDraft, EventType, Exported, ProtocolRef
    from mgso4.storage import StoreError, open_record

    path = existing_record(args.db)
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise UsageError("--out", f"{out.name} does not end in .pdf")
    if not out.parent.is_dir():
        raise UsageError("--out", f"the folder {out.parent} does not exist")
    made_at = now()
    month = parse_month(args.month, local_date(made_at))
    settings = _settings()
    note = (args.note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise UsageError("--note", f"{len(note)} characters; keep it to {MAX_NOTE_LENGTH}")
    suppress = settings.suppress_below if args.suppress_below is None else args.suppress_below
    if suppress is not None and suppress == 0:
        suppress = None
    if suppress is not None and suppress < 2:
        raise UsageError("--suppress-below", "use 0 (off) or a threshold of 2 or more")
    min_denominator = args.min_denominator or settings.spc_min_denominator
    if min_denominator < 5:
        raise UsageError("--min-denominator", "must be at least 5 (smaller months mislead)")
    options = FeedbackOptions(
        month=month,
        period=ChartPeriod(args.period),
        spc=SpcSettings(
            shift_length=args.shift_length or settings.spc_shift_length,
            trend_length=args.trend_length or settings.spc_trend_length,
            min_denominator=min_denominator,
        ),
        target_percent=settings.nnap_target_percent,
        stretch_percent=settings.nnap_stretch_target_percent,
        suppress_below=suppress,
        note=note,
        workstations=frozenset(args.workstation),
        include_training=args.include_training,
    )
    actor = cli_actor(args)
    protocol = load_protocol(settings.protocol)
    try:
        data = load_audit_data(path, progress=StderrProgress(args.quiet))
        sheet = build_feedback(
            data,
            options,
            key=load_or_create_key(),
            made_at=made_at,
            chain_heads=chain_heads(path),
        )
        write_output(feedback_pdf(sheet), out)
        with open_record(path) as store:
            event = store.append(
                EventDraft.make(
                    EventType.EXPORTED,
                    Exported(
                        format="feedback-sheet-pdf",
                        identifiable=False,
                        rows=sheet.babies_in_month,
                        note=note,
                    ),
                    episode_uuid=None,
                    occurred_at=made_at,
                    recorded_by=actor,
                ),
                ProtocolRef(id=protocol.id, version=protocol.version, sha256=protocol.sha256),
            )
    except (Cancelled, KeyboardInterrupt):
        print("mgso4 feedback: cancelled", file=sys.stderr)
        return EXIT_PROBLEM
    except (AuditError, StoreError, OSError) as exc:
        print(f"mgso4 feedback: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    result = {
        "ok": True,
        "out": str(out),
        "month": month.iso,
        "babies": sheet.babies_in_month,
        "chart_period": options.period.value,
        "chart_analysed": sheet.chart.chart.analysed,
        "why_not_analysed": sheet.chart.chart.why_not_analysed,
        "suppress_below": suppress,
        "exported_event_uuid": event.uuid,
        # For the QI lead to find the cases (stays with whoever ran the command; never printed).
        "cases": [
            {"reference": c.reference, "baby": c.baby, "episode_uuid": c.episode_uuid}
            for c in sheet.cases
        ],
        "message": (
            f"Written {out} (feedback sheet for {month.label}, {sheet.babies_in_month} babies); "
            "logged in the record as exported"
        ),
    }
    return emit(result, EXIT_OK, args.json)


def cmd_periprem(args: argparse.Namespace) -> int:
    """A month's rows for the PERIPrem Optimisation Tool, one CSV per unit, to paste at A10."""
    from mgso4.audit import AuditError, Cancelled, load_audit_data
    from mgso4.audit.periprem import (
        FIRST_DATA_ROW,
        SHEET_NAME,
        column_letters,
        paste_blocks,
        write_block,
    )
    from mgso4.storage import StoreError

    path = existing_record(args.db)
    folder = Path(args.out_dir)
    if not folder.is_dir():
        raise UsageError("--out-dir", f"the folder {folder} does not exist")
    month = parse_month(args.month, local_date(now()))
    try:
        data = load_audit_data(path, progress=StderrProgress(args.quiet))
        blocks = paste_blocks(
            data,
            month,
            unit=args.unit,
            workstations=frozenset(args.workstation),
            include_training=args.include_training,
        )
        if args.unit is not None and not blocks:
            raise UsageError("--unit", f"no births at {args.unit!r} in {month.iso}")
        files = [(block, *write_block(block, folder)) for block in blocks]
    except (Cancelled, KeyboardInterrupt):
        print("mgso4 periprem: cancelled", file=sys.stderr)
        return EXIT_PROBLEM
    except (AuditError, StoreError, OSError) as exc:
        print(f"mgso4 periprem: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    units = [
        {
            "unit": block.unit,
            "rows": len(block.rows),
            "paste_block": str(paste),
            "row_list": str(listing),
            "left_out": block.left_out,
        }
        for block, paste, listing in files
    ]
    lines = [
        f"{block.unit}: {len(block.rows)} rows in {paste} (paste at {SHEET_NAME!r} cell "
        f"A{FIRST_DATA_ROW}); which baby is on which row: {listing}"
        for block, paste, listing in files
    ]
    message = (
        "\n".join(lines)
        + f"\nFilled: columns {column_letters()}. Every other column is left empty for the "
        "unit to complete; birth weight (B) is needed on every row or the row is not counted."
        if lines
        else f"No births in {month.iso}; nothing written"
    )
    return emit(
        {"ok": True, "month": month.iso, "units": units, "message": message}, EXIT_OK, args.json
    )


#: ``audit.feedback.ChartPeriod`` values, written out so building the parser imports nothing
#: heavy (a test checks they match).
CHART_PERIODS = ("month", "quarter", "rolling12")


def register(sub: Any) -> None:
    """Add feedback and periprem."""
    p = sub.add_parser("feedback", help="the team's monthly feedback sheet (one-page PDF)")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="local month of birth")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    p.add_argument(
        "--period",
        default=CHART_PERIODS[0],
        choices=CHART_PERIODS,
        help="what each chart point covers",
    )
    p.add_argument(
        "--suppress-below",
        type=int,
        metavar="K",
        help="show counts below K as <K (0: off; default: settings)",
    )
    p.add_argument("--note", metavar="TEXT", help="what we will try next month")
    p.add_argument("--shift-length", type=int, choices=[6, 7], help="default: settings")
    p.add_argument("--trend-length", type=int, choices=[6, 7], help="default: settings")
    p.add_argument("--min-denominator", type=int, metavar="N", help="default: settings")
    p.add_argument("--workstation", action="append", default=[], metavar="ID")
    p.add_argument("--include-training", action="store_true")
    p.add_argument("--by", metavar="NAME", help="who made the sheet (logged)")
    p.add_argument("--role", default="auditor", help="role of who made it")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_feedback)

    p = sub.add_parser("periprem", help="a month's rows for the PERIPrem Optimisation Tool")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--month", required=True, metavar="YYYY-MM", help="local month of birth")
    p.add_argument("--out-dir", required=True, metavar="DIR")
    p.add_argument("--unit", metavar="NAME", help="only this unit (as recorded on episodes)")
    p.add_argument("--workstation", action="append", default=[], metavar="ID")
    p.add_argument("--include-training", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_periprem)
