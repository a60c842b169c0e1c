"""The patient banner at the top of an episode: who, how far on, and what is running."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from mgso4.core.dosing import percent_label, plain, stop_due_at
from mgso4.core.episode import EpisodeState
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import format_local
from mgso4.gui.board.rows import gestation_text, identifier_text
from mgso4.gui.style import set_role, set_tone

#: Grams so far are shown to 0.1 g: enough to follow a course, not a dose to act on.
_TENTH = Decimal("0.1")


def infusion_lines(state: EpisodeState, protocol: Protocol, now: datetime, tz: ZoneInfo) -> str:
    """What is running, in g/h and mL/h with the concentration, and the grams so far."""
    course = state.current_course
    if course is None or course.load_started_at is None:
        return "No MgSO₄ started in this episode."
    parts = [f"Course {course.number}"]
    if course.stopped_at is not None:
        reason = course.stop_reason.label if course.stop_reason else "stopped"
        parts.append(f"stopped {format_local(course.stopped_at, tz)} ({reason})")
    elif course.rates:
        period = course.rates[-1]
        parts.append(
            f"running {plain(period.rate_ml_per_h)} mL/h of "
            f"{percent_label(period.concentration_g_per_ml)} "
            f"({plain(period.concentration_g_per_ml)} g/mL) = {plain(period.rate_g_per_h)} g/h"
        )
    elif course.load is not None and course.load_finished_at is None:
        load = course.load
        parts.append(
            f"loading {plain(load.dose_g)} g at {plain(load.rate_ml_per_h)} mL/h of "
            f"{percent_label(load.concentration_g_per_ml)} over {plain(load.duration_min)} min"
        )
    else:
        parts.append("load given, maintenance not started")
    parts.append(f"given so far {plain(state.total_grams(now).quantize(_TENTH))} g")
    if course.stopped_at is None:
        stop_at = stop_due_at(
            protocol,
            load_started_at=course.load_started_at,
            maintenance_started_at=course.maintenance_started_at,
        )
        if stop_at is not None:
            parts.append(
                f"{plain(protocol.maintenance.max_hours.value)} h stop due "
                f"{format_local(stop_at, tz)}"
            )
    return " · ".join(parts)


class PatientBanner(QFrame):
    """Name, identifier, gestation now, stage, protocol and the running infusion."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("patient_banner")
        set_role(self, "card")
        self.name_label = QLabel(self)
        self.name_label.setObjectName("banner_name_label")
        self.name_label.setProperty("role", "title")
        self.details_label = QLabel(self)
        self.details_label.setObjectName("banner_details_label")
        self.details_label.setWordWrap(True)
        self.infusion_label = QLabel(self)
        self.infusion_label.setObjectName("banner_infusion_label")
        self.infusion_label.setWordWrap(True)
        self.infusion_label.setProperty("role", "emphasis")
        self.protocol_label = QLabel(self)
        self.protocol_label.setObjectName("banner_protocol_label")
        self.protocol_label.setProperty("role", "muted")
        self.protocol_label.setWordWrap(True)
        self.training_text = QLabel("TRAINING", self)
        set_tone(self.training_text, "training")
        self.training_text.setAccessibleName("Training episode")
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(self.name_label)
        column.addWidget(self.details_label)
        column.addWidget(self.infusion_label)
        column.addWidget(self.protocol_label)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 12, 8)
        row.addLayout(column, 1)
        row.addWidget(self.training_text)

    def show_state(
        self, state: EpisodeState, protocol: Protocol, now: datetime, tz: ZoneInfo
    ) -> None:
        """Fill the banner for an episode at ``now``."""
        self.name_label.setText(state.patient.name)
        dob = state.patient.date_of_birth
        dob_text = f" · born {dob.isoformat()}" if dob else ""
        # Once born, the gestation that matters is at birth, not "today" (an episode opened
        # from the audit months later said "gestation today 33+1").
        born_at = state.first_birth_at
        gestation = (
            f"gestation at birth {gestation_text(state, born_at, tz)}"
            if born_at is not None
            else f"gestation today {gestation_text(state, now, tz)}"
        )
        self.details_label.setText(
            f"{identifier_text(state)}{dob_text} · {gestation} · {state.stage.label}"
        )
        self.infusion_label.setText(infusion_lines(state, protocol, now, tz))
        self.protocol_label.setText(
            f"Protocol {state.protocol_id} {state.protocol_version} "
            f"(hash {state.protocol_sha256[:12]}) · preparation {state.created.preparation_id}"
        )
        self.training_text.setVisible(state.training)
        self.setAccessibleName(f"Patient: {state.patient.name}, {identifier_text(state)}")
