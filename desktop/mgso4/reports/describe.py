"""Plain words for recorded events and their fields, for the history and corrections tables."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from mgso4.core.episode import EVENT_LABELS as CORE_EVENT_LABELS
from mgso4.core.episode import EventType, StopReason
from mgso4.core.timeutil import LONDON
from mgso4.reports.text import local_time

#: Plain words for every kind of entry (declared once, in core).
EVENT_LABELS: Final[dict[EventType, str]] = CORE_EVENT_LABELS

#: Field names with their units, as printed in corrections.
FIELD_LABELS: Final[dict[str, str]] = {
    "pulse_per_min": "Pulse (/min)",
    "systolic_mmhg": "Systolic BP (mmHg)",
    "diastolic_mmhg": "Diastolic BP (mmHg)",
    "baseline_diastolic_mmhg": "Baseline diastolic (mmHg)",
    "rr_per_min": "Respiratory rate (/min)",
    "baseline_rr_per_min": "Baseline respiratory rate (/min)",
    "reflexes": "Patellar reflexes",
    "urine_ml": "Urine (mL)",
    "urine_period_h": "Urine period (h)",
    "spo2_percent": "SpO₂ (%)",
    "serum_mg_mmol_per_l": "Serum Mg (mmol/L)",
    "dose_g": "Dose (g)",
    "concentration_g_per_ml": "Concentration (g/mL)",
    "volume_ml": "Volume (mL)",
    "rate_ml_per_h": "Rate (mL/h)",
    "duration_min": "Duration (min)",
    "container_volume_ml": "Container volume (mL)",
    "course_number": "Course",
    "given_by": "Given by",
    "checked_by": "Checked by",
    "decided_by": "Decided by",
    "reason": "Reason",
    "text": "Text",
    "baby": "Baby",
    "label": "Label",
    "give": "Give",
    "senior": "Senior",
    "note": "Note",
    "occurred_at": "Clinical time",
    "patient.name": "Patient name",
    "patient.identifier": "Patient identifier",
    "patient.date_of_birth": "Date of birth",
    "reason_code": "Reason code",
}


def event_label(event_type: EventType) -> str:
    """Plain words for an event type."""
    return EVENT_LABELS.get(event_type, str(event_type))


def field_label(name: str) -> str:
    """A field's printed name with its unit."""
    return FIELD_LABELS.get(name, name.replace("_", " ").replace(".", ": ").capitalize())


def value_text(value: Any) -> str:
    """A stored JSON value in plain words ("not recorded" for empty)."""
    if value is None or value == "":
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):
        if "name" in value and "role" in value:
            return f"{value['name']} ({value['role']})"
        return ", ".join(f"{field_label(str(k))}: {value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(value_text(v) for v in value) or "none"
    return str(value)


def flatten(changes: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested changes as dotted field names (``{"patient": {"name": x}}`` → ``patient.name``)."""
    flat: dict[str, Any] = {}
    for key, value in changes.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and not ("name" in value and "role" in value):
            flat.update(flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def lookup(payload: Mapping[str, Any], dotted: str) -> Any:
    """The value at a dotted field name in a payload, or None."""
    current: Any = payload
    for part in dotted.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


def _person(value: Any) -> str:
    """ "Jane Smith (midwife)" from a stored actor."""
    if isinstance(value, Mapping) and value.get("name"):
        return f"{value['name']} ({value.get('role', '')})".replace(" ()", "")
    return ""


def _weeks(days: Any) -> str:
    return f"{days // 7}+{days % 7} weeks" if isinstance(days, int) else ""


def _words(code: Any) -> str:
    """A stored choice ("established-labour") in words ("established labour")."""
    return str(code).replace("-", " ") if code else ""


def _acknowledged(payload: Mapping[str, Any]) -> str:
    key = str(payload.get("key", ""))
    kind = key.split(":")[1] if key.startswith("finding:") and key.count(":") >= 1 else key
    what = _words(kind.split(":")[0]) if kind else "an alert"
    done = payload.get("action_taken") or ""
    return f"Acknowledged: {what}" + (f" — {done}" if done else "")


def summary(
    event_type: EventType,
    payload: Mapping[str, Any],
    reason_labels: Mapping[str, str] | None = None,
) -> str:
    """A one-line description of an event's content, in the words a midwife would write.

    Args:
        reason_labels: The protocol's words for not-given reason codes (the code is shown
            only when the protocol does not list it).
    """
    if event_type is EventType.DECISION:
        verb = "give MgSO₄" if payload.get("give") else "do not give MgSO₄"
        by = _person(payload.get("decided_by"))
        senior = _person(payload.get("senior"))
        text = f"Decision: {verb}" + (f" — by {by}" if by else "")
        if senior and senior != by:
            text += f"; senior {senior}"
        note = payload.get("note") or ""
        return text + (f". {note}" if note else "")
    if event_type is EventType.NOT_GIVEN:
        code = str(payload.get("reason_code", ""))
        label = (reason_labels or {}).get(code) or code
        text = payload.get("text") or ""
        return f"Not given: {label[:1].lower()}{label[1:]}" + (f" – {text}" if text else "")
    if event_type is EventType.ASSESSED:
        parts = [
            _weeks(payload.get("gestation_days")),
            _words(payload.get("situation")),
        ]
        recommendation = _words(payload.get("recommendation"))
        text = "Assessed: " + ", ".join(p for p in parts if p)
        if recommendation:
            text += f" — {recommendation}"
        if payload.get("senior_decision_required"):
            text += " (a named senior decides)"
        return text
    if event_type is EventType.ALERT_ACKNOWLEDGED:
        return _acknowledged(payload)
    if event_type is EventType.OBSERVATION:
        parts = [
            f"{field_label(k)} {value_text(v)}"
            for k, v in payload.items()
            if v is not None and k in FIELD_LABELS
        ]
        return "; ".join(parts) or "no values"
    if event_type is EventType.INFUSION_STOPPED:
        reason = payload.get("reason")
        label = StopReason(reason).label if reason in set(StopReason) else str(reason)
        text = payload.get("text") or ""
        return f"course {payload.get('course_number')}: {label}" + (f" – {text}" if text else "")
    if event_type is EventType.BIRTH:
        label = payload.get("label") or ""
        baby = f"Baby {payload.get('baby')}"
        return f"{baby} born" + (f" ({label})" if label and label != baby else "")
    if event_type in (EventType.NOTE,):
        return str(payload.get("text", ""))
    if event_type is EventType.RATE_CHANGED:
        return (
            f"course {payload.get('course_number')}: {payload.get('rate_ml_per_h')} mL/h "
            f"({payload.get('reason')})"
        )
    interesting = (
        "dose_g",
        "volume_ml",
        "rate_ml_per_h",
        "concentration_g_per_ml",
        "reason_code",
        "give",
        "key",
        "message",
        "action_taken",
        "document",
    )
    parts = [
        f"{field_label(k)} {value_text(payload[k])}"
        for k in interesting
        if k in payload and payload[k] not in (None, "")
    ]
    return "; ".join(parts)


def time_text(value: Any, tz: ZoneInfo = LONDON) -> str:
    """A stored ISO time (or datetime) in local words."""
    if isinstance(value, datetime):
        return local_time(value, tz)
    if isinstance(value, str):
        try:
            return local_time(datetime.fromisoformat(value.replace("Z", "+00:00")), tz)
        except ValueError:
            return value
    return value_text(value)
