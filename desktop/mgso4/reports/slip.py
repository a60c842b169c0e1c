"""The neonatal data slip: one third of an A4 page per baby, for the neonatal record.

NNAP's MgSO₄ figure is entered into the neonatal record by neonatal staff, often later and by
someone who was not at the birth. The slip carries exactly what that entry needs, per baby:
baby number, gestation at birth, MgSO₄ before delivery (yes / no), given within the 24 h before
birth (yes / no), the time of the first loading dose, the time it stopped, and the reason when
it was not given.

Every yes / no comes from :func:`mgso4.core.outcome.baby_classes`, the one classification path
the audit also uses, so the slip and the audit never disagree. Nothing is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, Table, TableStyle

from mgso4.core.episode import EpisodeState
from mgso4.core.outcome import DEFAULT_MISSED_REASONS, AnznnCode, BabyClasses, baby_classes
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import LONDON
from mgso4.reports.common import (
    checked_chain_head,
    checked_time,
    patient_pdf,
    record_check,
    short_head,
)
from mgso4.reports.layout import (
    BLACK,
    CONTENT_WIDTH,
    FRAME_BOTTOM,
    FRAME_TOP,
    RULE_GREY,
    Cell,
    key_values,
    markup,
    para,
    styles,
)
from mgso4.reports.text import esc, gestation, identifier, local_time

#: The document kind, for the PDF Title and the print job's name.
DOCUMENT_KIND: Final = "MgSO₄ neonatal data slip"
#: Slips per A4 page (each one third of the page, to be cut apart).
SLIPS_PER_PAGE: Final = 3

#: ANZNN codes for MgSO₄ given in the 24 h before birth (started or still running within it).
_WITHIN_24H: Final = frozenset(
    {
        AnznnCode.STARTED_OVER_24H_STOPPED_WITHIN_24H,
        AnznnCode.STARTED_4_TO_24H_BEFORE_BIRTH,
        AnznnCode.STARTED_UNDER_4H_BEFORE_BIRTH,
    }
)


@dataclass(frozen=True)
class SlipFacts:
    """What one baby's slip says, read from the core classification.

    ``given_before_birth`` and ``given_within_24h`` are None when the birth cannot be
    classified (``problem`` says why).
    """

    baby: int
    born_at: datetime
    gestation: str
    given_before_birth: bool | None
    given_within_24h: bool | None
    first_load_at: datetime | None
    stopped_at: datetime | None
    not_given_reason: str | None
    problem: str | None


def slip_facts(state: EpisodeState, protocol: Protocol) -> list[SlipFacts]:
    """Each born baby's slip, by baby number (from ``core.outcome.baby_classes``)."""
    return [_facts(state, protocol, baby) for baby in baby_classes(state)]


def _facts(state: EpisodeState, protocol: Protocol, baby: BabyClasses) -> SlipFacts:
    before = [
        course
        for course in state.courses
        if course.started_at is not None and course.started_at <= baby.born_at
    ]
    first_load = min(
        (c.load_started_at for c in before if c.load_started_at is not None), default=None
    )
    latest = max(before, key=lambda c: c.started_at or baby.born_at, default=None)
    given: bool | None = None
    within: bool | None = None
    if baby.classification is not None:
        given = baby.classification.anznn is not AnznnCode.NOT_GIVEN
        within = baby.classification.anznn in _WITHIN_24H
    reason = None
    if state.not_given is not None and not given:
        code = state.not_given.reason_code
        rule = protocol.missed_reason(code)
        default = next((r for r in DEFAULT_MISSED_REASONS if r.code == code), None)
        label = rule.label if rule is not None else (default.label if default else "")
        reason = f"{code} – {label}" + (f": {state.not_given.text}" if state.not_given.text else "")
    return SlipFacts(
        baby=baby.baby,
        born_at=baby.born_at,
        gestation=gestation(baby.gestation),
        given_before_birth=given,
        given_within_24h=within,
        first_load_at=first_load,
        stopped_at=None if latest is None else latest.stopped_at,
        not_given_reason=reason,
        problem=baby.problem,
    )


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "CANNOT SAY (see below)"
    return "YES" if value else "NO"


def render_neonatal_slip(
    state: EpisodeState,
    protocol: Protocol,
    *,
    unit_name: str,
    chain_head: str,
    printed_at: datetime,
    tz: ZoneInfo = LONDON,
    baby: int | None = None,
) -> bytes:
    """The neonatal data slips (three to an A4 page), for every born baby or just ``baby``.

    Raises:
        ReportInputError: The chain head is not a SHA-256 value, the print time is naive, no
            baby is born yet, or ``baby`` has no recorded birth.
    """
    from mgso4.reports.common import ReportInputError

    head = checked_chain_head(chain_head)
    printed_at = checked_time(printed_at, "print time")
    facts = slip_facts(state, protocol)
    if baby is not None:
        facts = [f for f in facts if f.baby == baby]
        if not facts:
            raise ReportInputError(f"Baby {baby} has no recorded birth in this episode.")
    if not facts:
        raise ReportInputError("No birth is recorded yet: a neonatal slip follows a birth.")
    # Three slips and, under the last, the record check (full chain head and protocol hash).
    height = (FRAME_TOP - FRAME_BOTTOM - 12 * mm) / SLIPS_PER_PAGE
    story: list[Flowable] = [
        _slip(state, f, head=head, printed_at=printed_at, tz=tz, height=height) for f in facts
    ]
    story += record_check(head, protocol)
    return patient_pdf(
        story,
        state,
        protocol,
        kind=DOCUMENT_KIND,
        document_label="MgSO₄ neonatal slip",
        unit_name=unit_name,
        chain_head=head,
        printed_at=printed_at,
        tz=tz,
    )


def _slip(
    state: EpisodeState,
    facts: SlipFacts,
    *,
    head: str,
    printed_at: datetime,
    tz: ZoneInfo,
    height: float,
) -> Flowable:
    sheet = styles()
    expected = state.created.plurality
    rows: list[tuple[str, Cell]] = [
        ("Mother", f"{state.patient.name} · {identifier(state.patient)}"),
        ("Baby", f"Baby {facts.baby} of {expected}, born {local_time(facts.born_at, tz)}"),
        ("Gestation at birth", facts.gestation),
        (
            "MgSO₄ before delivery",
            markup(f"<b>{_yes_no(facts.given_before_birth)}</b>", sheet.cell),
        ),
        (
            "Given within the 24 h before birth",
            markup(f"<b>{_yes_no(facts.given_within_24h)}</b>", sheet.cell),
        ),
        (
            "First loading dose started",
            local_time(facts.first_load_at, tz) if facts.first_load_at else "not given",
        ),
        (
            "Infusion stopped",
            local_time(facts.stopped_at, tz)
            if facts.stopped_at
            else ("still running at print" if facts.first_load_at else "–"),
        ),
        ("Reason not given", facts.not_given_reason or "–"),
    ]
    if facts.problem:
        rows.append(("Why it cannot say", facts.problem))
    body: list[Flowable] = [
        markup(f"<b>{esc(DOCUMENT_KIND)} – for the neonatal record</b>", sheet.body),
        key_values(rows, label_width=62 * mm, width=CONTENT_WIDTH - 12),
        para(
            f"From the maternity record (chain head {short_head(head)}…), printed "
            f"{local_time(printed_at, tz)}; the same classification as the unit's MgSO₄ audit.",
            sheet.small,
        ),
    ]
    inner = KeepInFrame(CONTENT_WIDTH - 8, height - 10, body, mode="shrink")
    box = Table([[inner]], colWidths=[CONTENT_WIDTH], rowHeights=[height - 2])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, BLACK),
                ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE_GREY, 1, (3, 3)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return box


__all__ = ["DOCUMENT_KIND", "SlipFacts", "render_neonatal_slip", "slip_facts"]
