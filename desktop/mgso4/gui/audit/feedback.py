"""Making the feedback sheet for the audit view: plain work, run off the GUI thread."""

from __future__ import annotations

from mgso4.audit.data import AuditData
from mgso4.audit.feedback import FeedbackOptions, FeedbackSheet, build_feedback, feedback_pdf
from mgso4.audit.pseudonym import load_or_create_key
from mgso4.audit.sql import chain_heads
from mgso4.core.timeutil import utcnow


def make_feedback_sheet(data: AuditData, options: FeedbackOptions) -> tuple[FeedbackSheet, bytes]:
    """The sheet's content and its PDF (touches no widget: runs on a worker thread)."""
    sheet = build_feedback(
        data,
        options,
        key=load_or_create_key(),
        made_at=utcnow(),
        chain_heads=chain_heads(data.path),
    )
    return sheet, feedback_pdf(sheet)
