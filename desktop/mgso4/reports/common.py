"""Pieces shared by the completed proforma and the handover: banner, footer, record look-ups."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from reportlab.platypus import Flowable

from mgso4 import __version__
from mgso4.core.episode import EpisodeState, Event, EventType, TimelineEntry, parse_payload
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import ensure_utc
from mgso4.reports.layout import Furniture, build_pdf, gap, markup, para, styles
from mgso4.reports.text import (
    PRODUCT_NAME,
    calendar_date,
    esc,
    identifier,
    local_time,
    person,
)

_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
#: A source tag as the protocol files write it: "[N1]", "[T1]".
_SOURCE_TAG: Final = re.compile(r"\[([A-Z]{1,2}\d{0,2}[a-z]?)\]")
#: References to the project's own design files, which mean nothing on a ward's paper.
_INTERNAL_REFERENCE: Final = re.compile(
    r"\s*[;,(]?\s*\b(?:decisions|reference)(?:\.md)?\s*§?\s*\d+(?:\.\d+)*\b[;,)]?",
    re.IGNORECASE,
)
#: How many hex digits of the chain head the footer shows (the full head is on the last page).
SHORT_HEAD: Final = 12


class ReportInputError(ValueError):
    """Something handed to a report cannot be printed; the message says what and why."""


def checked_chain_head(chain_head: str) -> str:
    """The chain head as 64 lower-case hex digits; refuse anything else.

    The printed head is how a reader checks the paper against the database, so a wrong or
    empty value must stop the print rather than appear on the page.
    """
    if not isinstance(chain_head, str) or not _SHA256.fullmatch(chain_head):
        raise ReportInputError(
            f"The record's chain head {chain_head!r} is not a SHA-256 value (64 hex digits); "
            "take it from the store's verify or chain_head."
        )
    return chain_head


def checked_time(moment: datetime, what: str) -> datetime:
    """An aware instant in UTC; a naive time is refused with a message naming it."""
    try:
        return ensure_utc(moment, what)
    except ValueError as exc:
        raise ReportInputError(str(exc)) from None


def source_title(protocol: Protocol, tag: str) -> str:
    """The protocol's own short title for a source tag ("NICE NG25 Preterm labour and birth")."""
    ref = next((s for s in protocol.sources if s.tag == tag), None)
    if ref is None:
        return tag
    title = ref.title.split(" (", 1)[0]
    return _INTERNAL_REFERENCE.sub("", title).strip(" ,;:")


def cited(text: str, protocol: Protocol) -> str:
    """Text for paper: source tags become the protocol's citation titles, and references to
    the project's design files are left out ("decisions.md 4", "reference §3.3")."""
    text = _SOURCE_TAG.sub(lambda m: f"({source_title(protocol, m.group(1))})", text)
    text = text.replace(")(", "; ")
    text = _INTERNAL_REFERENCE.sub("", text)
    return re.sub(r"\s{2,}", " ", text).replace("( ", "(").replace(" )", ")").strip()


def short_head(chain_head: str) -> str:
    """The chain head's first hex digits, the reference the footer carries on every page."""
    return chain_head[:SHORT_HEAD]


def patient_furniture(
    state: EpisodeState,
    protocol: Protocol,
    *,
    unit_name: str,
    chain_head: str,
    printed_at: datetime,
    tz: ZoneInfo,
    document_label: str,
) -> Furniture:
    """Banner and footer for a document about one woman's episode."""
    patient = state.patient
    details = (
        f"{identifier(patient)}   ·   Date of birth {calendar_date(patient.date_of_birth)}",
        f"Episode {state.uuid}",
    )
    return Furniture(
        banner_name=patient.name,
        banner_details=details,
        footer_lines=(
            f"Record chain head {short_head(chain_head)}… (full SHA-256 on the last page)",
            f"Printed {local_time(printed_at, tz)} · {unit_name}",
            f"{PRODUCT_NAME} {__version__} · protocol {protocol.id} {protocol.version} "
            f"({protocol.short_hash})",
        ),
        document_label=document_label,
        training=state.training,
    )


def document_header(
    title: str,
    unit_name: str,
    protocol: Protocol,
    state: EpisodeState | None = None,
) -> list[Flowable]:
    """Unit, title and the protocol with its content hash (short and full)."""
    sheet = styles()
    story: list[Flowable] = [
        para(title, sheet.title),
        markup(
            f"{esc(unit_name or 'Unit not named')} · <b>Protocol:</b> {esc(protocol.name)}, "
            f"{esc(protocol.id)} version {esc(protocol.version)} "
            f"(<b>{esc(protocol.short_hash)}</b>)",
            sheet.small,
        ),
    ]
    if state is not None and state.protocol_sha256 != protocol.sha256:
        story.append(
            para(
                "This episode started under protocol "
                f"{state.protocol_id} {state.protocol_version} (hash "
                f"{state.protocol_sha256[:12]}); this print uses {protocol.id} "
                f"{protocol.version} (hash {protocol.short_hash}) for thresholds and wording. "
                "Check which protocol applies.",
                sheet.warning,
            )
        )
    if state is not None and state.training:
        story.append(
            para(
                "TRAINING RECORD – made in training mode with a synthetic identifier. "
                "Not a clinical record.",
                sheet.warning,
            )
        )
    return story


def record_check(chain_head: str, protocol: Protocol) -> list[Flowable]:
    """The full chain head and protocol hash, printed once, at the end of a document."""
    sheet = styles()
    return [
        gap(1),
        para(f"Record chain head (SHA-256): {chain_head}", sheet.small),
        para(f"Protocol content hash (SHA-256): {protocol.sha256}", sheet.small),
    ]


def document_kind_title(kind: str, state: EpisodeState) -> str:
    """The PDF Title: the document kind and the episode reference, never the patient's name
    (the title shows in file managers and print queues)."""
    return f"{kind} – episode {state.uuid[:8]}"


def patient_pdf(
    story: list[Flowable],
    state: EpisodeState,
    protocol: Protocol,
    *,
    kind: str,
    document_label: str,
    unit_name: str,
    chain_head: str,
    printed_at: datetime,
    tz: ZoneInfo,
) -> bytes:
    """A document about one woman's episode: her banner and the footer on every page, and PDF
    metadata that names the document kind and episode, never her."""
    furniture = patient_furniture(
        state,
        protocol,
        unit_name=unit_name,
        chain_head=chain_head,
        printed_at=printed_at,
        tz=tz,
        document_label=document_label,
    )
    return build_pdf(
        story,
        furniture,
        title=document_kind_title(kind, state),
        author=unit_name,
        subject=f"Episode {state.uuid}",
        printed_at=printed_at,
    )


@dataclass(frozen=True)
class Entry:
    """A live (not voided) event with its corrected payload."""

    event: Event
    payload: Any
    at: datetime
    corrected: bool


def live_entries(state: EpisodeState, *types: EventType) -> Iterator[Entry]:
    """Entries of the given types that were not voided, by clinical time (ties: chain order)."""
    chosen = [
        entry
        for entry in state.timeline
        if entry.voided_by is None and (not types or entry.event.type in types)
    ]
    chosen.sort(key=lambda e: (e.effective_occurred_at, e.event.seq))
    for entry in chosen:
        yield Entry(
            event=entry.event,
            payload=parse_payload(entry.event.type, entry.effective_payload),
            at=entry.effective_occurred_at,
            corrected=_has_live_amendment(state, entry),
        )


def _has_live_amendment(state: EpisodeState, entry: TimelineEntry) -> bool:
    if not entry.amended_by:
        return False
    voided = {e.event.uuid for e in state.timeline if e.voided_by is not None}
    return any(amendment.uuid not in voided for amendment in entry.amended_by)


def course_entry(state: EpisodeState, event_type: EventType, course_number: int) -> Entry | None:
    """The live event of a type for one course (the last if several)."""
    found = None
    for entry in live_entries(state, event_type):
        if getattr(entry.payload, "course_number", None) == course_number:
            found = entry
    return found


def when_and_who(entry: Entry | None, tz: ZoneInfo) -> str:
    """Clinical time, then when and by whom it was recorded."""
    if entry is None:
        return "not recorded"
    text = local_time(entry.at, tz)
    text += (
        f" · recorded {local_time(entry.event.recorded_at, tz)} by "
        f"{person(entry.event.recorded_by)}"
    )
    if entry.corrected:
        text += " – corrected, see Corrections"
    return text
