"""What every wizard page shares: its step, the answers, keeping answers on Back, the banner.

A page checks what is typed (through ``core``), stores accepted values in the shared
:class:`~mgso4.gui.wizard.answers.WizardAnswers` and says whether it is complete; the wizard
asks ``core.flow`` where to go next. A page never computes a dose, a band or a time rule of
its own.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QLabel,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from mgso4.core.flow import Step
from mgso4.core.timeutil import to_local
from mgso4.gui.style import BASE_FONT_PT, ToneName, set_tone

if TYPE_CHECKING:
    from mgso4.core.episode import Event
    from mgso4.core.flow import FlowState
    from mgso4.core.gestation import GestationalAge
    from mgso4.gui.context import AppContext
    from mgso4.gui.wizard.answers import WizardAnswers


class WizardHost(Protocol):
    """What a page may ask of the wizard that holds it (the new-episode wizard provides it).

    Pages depend on this small interface rather than on the wizard class, so the wizard
    imports its pages and no page imports the wizard.
    """

    context: AppContext
    answers: WizardAnswers
    #: The identifier as the user should read it (spaced NHS number...); "" until accepted.
    identifier_display: str
    #: When the review page last showed what saving records (None before the review).
    reviewed_at: datetime | None
    #: When the episode was saved (UTC), and its events; None and [] until then.
    saved_at: datetime | None
    saved_events: list[Event]

    def button(self, which: QWizard.WizardButton) -> QAbstractButton:
        """One of the wizard's buttons (Next, Commit, Finish...)."""
        ...

    def flow_state(self) -> FlowState:
        """The ``core.flow`` state for the answers so far."""
        ...

    def reassess(self) -> None:
        """Assess again with the answers so far (``core.eligibility.assess``)."""
        ...

    def gestation_today(self) -> GestationalAge | None:
        """The gestation today from the dating entered (for the patient banner)."""
        ...

    def save(self) -> str | None:
        """Append every event in one transaction; the problem in words, or None when saved."""
        ...

    def saved_state_active(self) -> bool:
        """Whether the saved episode is active (shown on the ward board), from its events."""
        ...

    def summary_sections(self) -> list[tuple[str, list[str]]]:
        """Everything entered, section by section, for the review page."""
        ...


class StepPage(QWizardPage):
    """One step of ``core.flow`` as a page.

    Going Back keeps every answer (``cleanupPage`` does not reset fields), so a user who
    goes back to fix one thing never has to type the rest again.
    """

    step: ClassVar[Step]

    def __init__(self, owner: WizardHost) -> None:
        super().__init__()
        self.owner = owner
        self.context = owner.context
        self.setTitle(self.step.label)
        self.setObjectName(f"page_{self.step.value.replace('-', '_')}")
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(0, 0, 0, 0)
        self.banner, banner_layout = toned(ToneName.INFO, self, name="Patient")
        self.banner.setObjectName("patient_banner")
        self.banner_text = QLabel(self.banner)
        self.banner_text.setObjectName("patient_banner_text")
        self.banner_text.setAccessibleName("Patient")
        self.banner_text.setTextFormat(Qt.TextFormat.PlainText)
        self.banner_text.setWordWrap(True)
        banner_layout.setContentsMargins(8, 4, 8, 4)
        banner_layout.addWidget(self.banner_text)
        self.banner.hide()
        self._outer.addWidget(self.banner)
        self.body = QVBoxLayout()
        self.body.setSpacing(8)
        self._outer.addLayout(self.body, 1)

    @property
    def answers(self) -> WizardAnswers:
        """The shared answers of this wizard."""
        return self.owner.answers

    # -- QWizardPage ----------------------------------------------------------------------

    def initializePage(self) -> None:
        """Refresh the patient banner, then the page's own content."""
        self._refresh_banner()
        self.enter()

    def cleanupPage(self) -> None:
        """Keep the answers when the user goes Back (Qt would reset the fields)."""

    def isComplete(self) -> bool:
        """Mandatory fields filled (Qt's rule) and everything typed accepted (ours)."""
        return super().isComplete() and self.is_valid()

    # -- for subclasses -------------------------------------------------------------------

    def enter(self) -> None:
        """Called each time the page is entered going forward (recompute what is shown)."""

    def is_valid(self) -> bool:
        """Whether everything on the page is accepted."""
        return True

    def first_focus(self) -> QWidget | None:
        """The control that gets the keyboard focus when the page opens."""
        return None

    def changed(self) -> None:
        """Something on the page changed: store it, then let the wizard update the buttons."""
        self.store()
        self.completeChanged.emit()

    def store(self) -> None:
        """Write the accepted values into the answers (None where not accepted)."""

    # -- internals ------------------------------------------------------------------------

    def _refresh_banner(self) -> None:
        patient = self.answers.patient
        if patient is None or self.step in (Step.USER, Step.PATIENT):
            self.banner.hide()
            return
        parts = [patient.name, f"{patient.id_type.value.upper()} {self.owner.identifier_display}"]
        if patient.date_of_birth is not None:
            parts.append(f"born {patient.date_of_birth.isoformat()}")
        gestation = self.owner.gestation_today()
        if gestation is not None and self.step is not Step.GESTATION:
            today = to_local(self.context.clock(), self.context.tz).date()
            parts.append(f"{gestation.label} on {today.isoformat()}")
        prefix = "TRAINING — " if self.context.training else ""
        self.banner_text.setText(prefix + " · ".join(parts))
        set_tone(self.banner, ToneName.TRAINING if self.context.training else ToneName.INFO)
        self.banner.show()


def heading(text: str, parent: QWidget | None = None) -> QLabel:
    """A bold section heading."""
    label = QLabel(text, parent)
    label.setProperty("role", "heading")
    label.setWordWrap(True)
    label.setAccessibleName(text)
    return label


def muted(text: str = "", parent: QWidget | None = None, *, name: str = "") -> QLabel:
    """Quiet explanatory text (sources, hints)."""
    label = QLabel(text, parent)
    label.setProperty("role", "muted")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(name or text[:80])
    return label


def text_label(text: str = "", parent: QWidget | None = None, *, name: str = "") -> QLabel:
    """Plain word-wrapped text that can be selected and copied."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAccessibleName(name or text[:80])
    return label


def card(parent: QWidget | None = None, *, name: str) -> tuple[QFrame, QVBoxLayout]:
    """A white card (the app stylesheet's ``role="card"``) and its layout."""
    frame = QFrame(parent)
    frame.setProperty("role", "card")
    frame.setAccessibleName(name)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 10, 12, 10)
    layout.setSpacing(4)
    return frame, layout


def toned(
    tone: ToneName, parent: QWidget | None = None, *, name: str
) -> tuple[QFrame, QVBoxLayout]:
    """A framed block in one of the app's tones (info, warning, critical...)."""
    frame = QFrame(parent)
    frame.setAccessibleName(name)
    set_tone(frame, tone)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(10, 8, 10, 8)
    layout.setSpacing(4)
    return frame, layout


def clear_layout(layout: QVBoxLayout) -> None:
    """Remove and delete every widget in a layout (for content rebuilt on each visit)."""
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif item.layout() is not None:
            inner = item.layout()
            if isinstance(inner, QVBoxLayout):
                clear_layout(inner)


def emphasise(label: QLabel, scale: float = 1.3) -> QLabel:
    """Make a label bold and larger (doses and rates read at arm's length).

    The size is set in the label's own stylesheet because the application stylesheet sets a
    font size on every widget, which would override ``setFont``.
    """
    label.setStyleSheet(f"font-size: {BASE_FONT_PT * scale:.1f}pt; font-weight: bold;")
    return label


def chain(*widgets: QWidget) -> None:
    """Set the Tab order to follow ``widgets`` in turn."""
    for first, second in itertools.pairwise(widgets):
        QWidget.setTabOrder(first, second)


def bullets(lines: list[str] | tuple[str, ...]) -> str:
    """Plain-text bullet list."""
    return "\n".join(f"• {line}" for line in lines)
