"""One episode: banner, alerts for what is due, the actions, and the timeline.

The view re-reads its episode from the store after every commit (``context.changed()``);
between commits :meth:`EpisodeView.tick` (called by the main window's one clock check)
recomputes what is due from the folded state and the clock. Overdue items are non-modal
banners that grow louder after 15 minutes until someone acknowledges them; the
acknowledgement is logged as an ``alert-acknowledged`` event with the item's key.

"Start maintenance" is offered as soon as the loading dose's end is due, not only after it
is recorded: its form then records the load end as well (one transaction), so the usual path
from a running load to maintenance is one form. "Load finished" stays an action of its own.

Two documents print from here: the completed proforma and the in-utero transfer handover.
Each is made off the GUI thread (``TaskRunner``) with the chain head read when it is made,
shown in the print preview, and logged as a ``printed`` event (with that chain head) only when
the preview sends it to the printer: a preview that is closed or saved is not a print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import pairwise
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mgso4.core.actions import ACTIONS, why_not, why_not_amendable, why_not_voidable
from mgso4.core.alerts import AlertKind, open_alerts
from mgso4.core.citations import plain_citation
from mgso4.core.episode import EpisodeState, EventDraft, EventType, Printed
from mgso4.core.monitoring import DueItem, DueKind, due_items
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import format_local
from mgso4.gui.board.urgency import LOOKS, Urgency, countdown_text, short_label, urgency_of
from mgso4.gui.context import AppContext
from mgso4.gui.episode.action_dialog import ActionDialog, actor_text
from mgso4.gui.episode.actions import (
    AcknowledgeDialog,
    BirthDialog,
    LoadEndDialog,
    MaintenanceStartDialog,
    NotGivenDialog,
    RateChangeDialog,
    StopDialog,
    SyringeChangeDialog,
)
from mgso4.gui.episode.banner import PatientBanner
from mgso4.gui.episode.corrections import AmendDialog, VoidDialog
from mgso4.gui.episode.forms import FORMS, RegistryDialog
from mgso4.gui.episode.observation import ObservationDialog
from mgso4.gui.episode.timeline import TimelineView
from mgso4.gui.lifetime import delete_on_close
from mgso4.gui.style import set_role
from mgso4.gui.tasks import TaskRunner
from mgso4.gui.widgets.alert_banner import AlertBanner, AlertLevel, BannerAction
from mgso4.reports.describe import event_label
from mgso4.storage.errors import StoreError

#: Levels that get a banner in the episode view.
_BANNER_LEVELS = (
    Urgency.URGENT,
    Urgency.OVERDUE,
    Urgency.OVERDUE_ACKNOWLEDGED,
    Urgency.DUE_SOON,
)

#: The buttons that are registry actions: button id -> ``core.actions`` key (the registry's
#: forms add theirs under their own key: ``gui.episode.forms.FORMS``).
_BUTTON_ACTIONS: dict[str, str] = {
    **{key: key for key in FORMS},
    "observations": "observe",
    "load-end": "end-load",
    "maintenance": "start-maintenance",
    "syringe": "change-syringe",
    "rate": "change-rate",
    "stop": "stop",
    "birth": "birth",
    "not-given": "not-given",
}

#: The action offered on a due item's banner, by kind: (action id, button text).
_DUE_ACTIONS: dict[DueKind, tuple[str, str]] = {
    DueKind.OBSERVATIONS: ("observations", "Record observations"),
    DueKind.LOAD_END: ("load-end", "Record load end"),
    DueKind.MAINTENANCE_START: ("maintenance", "Start maintenance"),
    DueKind.MAX_DURATION_STOP: ("stop", "Stop infusion…"),
    DueKind.STOP_AT_BIRTH: ("stop", "Stop infusion…"),
}


#: A banner's title for each kind of core alert shown besides the due items.
_ALERT_TITLES: dict[AlertKind, str] = {
    AlertKind.TOXICITY: "Stop trigger met",
    AlertKind.STOP_INFUSION: "Stop the infusion",
    AlertKind.BASELINE_MISSING: "No baseline observations",
    AlertKind.DATA_PROBLEM: "Data problem in the record",
    AlertKind.RENAL_CAP: "Renal impairment: 48 h dose cap reached",
    AlertKind.RATE_CHECK: "Check the pump rate after the load",
}

#: Action buttons per row.
_COLUMNS = 6


@dataclass(frozen=True)
class _EpisodeDocument:
    """A document printed from the episode page."""

    #: The ``printed`` event's document name (``core.episode.Printed.document``).
    document: str
    #: What it is called in a sentence ("the transfer handover").
    name: str
    #: The preview window's title, before the woman's name.
    title: str


#: What the episode page prints, by ``Printed.document``.
_DOCUMENTS: dict[str, _EpisodeDocument] = {
    "proforma": _EpisodeDocument("proforma", "proforma", "Proforma"),
    "handover": _EpisodeDocument("handover", "transfer handover", "Transfer handover"),
    "neonatal-slip": _EpisodeDocument("neonatal-slip", "neonatal data slip", "Neonatal slip"),
}


#: An action dialog class: (context, state, protocol, parent) -> dialog.
_DialogFactory = Callable[[AppContext, EpisodeState, Protocol, QWidget], ActionDialog]


class EpisodeView(QWidget):
    """The page for one episode."""

    sig_back_requested = Signal()
    """The user asked to go back to the ward board."""

    def __init__(
        self,
        context: AppContext,
        episode_uuid: str,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("episode_view")
        self.context = context
        self.episode_uuid = episode_uuid
        self.tasks = tasks
        self.state: EpisodeState | None = None
        self.protocol: Protocol = context.protocol
        self.active_dialog: QDialog | None = None
        #: The last document made for the preview (proforma or handover), as PDF bytes.
        self.last_pdf: bytes | None = None
        #: The preview on screen (or last shown), for tests and the screenshots.
        self.preview_dialog: QDialog | None = None
        #: Documents being made now; their buttons stay off so one click makes one document.
        self._rendering: set[str] = set()
        self.alert_banners: dict[str, AlertBanner] = {}
        self._due_items: dict[str, DueItem] = {}
        #: The time of the last clock check (what the buttons and banners were worked out for).
        self._checked_at: datetime | None = None
        #: Each banner's key and action ids, to redo the Tab order only when they change.
        self._banner_shape: tuple[tuple[str, tuple[str, ...]], ...] = ()

        self.patient_banner = PatientBanner(self)
        self.protocol_banner = AlertBanner(self, object_name="protocol_banner")
        self.error_banner = AlertBanner(self, object_name="episode_error_banner")
        self.saved_banner = AlertBanner(self, object_name="saved_banner")
        self.alerts_box = QVBoxLayout()
        self.alerts_box.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        actions = QGridLayout()
        actions.setHorizontalSpacing(6)
        actions.setVerticalSpacing(6)
        specs: list[tuple[str, str, str, Callable[[], Any]]] = [
            ("observations", "Record &observations", "Ctrl+O", self.open_observations),
            ("load-end", "&Load finished", "", self.open_load_end),
            ("maintenance", "Start &maintenance", "", self.open_maintenance),
            ("syringe", "Change of s&yringe", "", self.open_syringe),
            ("rate", "Change &rate", "", self.open_rate),
            ("stop", "S&top infusion", "", self.open_stop),
            ("birth", "&Birth", "", self.open_birth),
            ("not-given", "&Not given: reason", "", self.open_not_given),
            ("amend", "&Amend entry", "", self.open_amend),
            ("void", "&Void entry", "", self.open_void),
            ("print", "&Print proforma", "Ctrl+P", self.print_proforma),
            ("handover", "Transfer &handover", "", self.print_handover),
            # The proforma's own fields and the neonatal data slip (issue 16).
            ("details", "D&etails…", "", self.open_details),
            ("slip", "Neonatal sl&ip", "", self.print_slip),
        ]
        # Every registry action with a form gets a button; the actions come in the registry's
        # order (core.actions.ACTIONS), the documents after them.
        specs += [
            (key, FORMS[key].button or ACTIONS[key].label, "", partial(self.open_form, key))
            for key in FORMS
        ]
        order = list(ACTIONS)
        specs.sort(
            key=lambda spec: (
                order.index(_BUTTON_ACTIONS.get(spec[0], spec[0]))
                if _BUTTON_ACTIONS.get(spec[0], spec[0]) in ACTIONS
                else len(order)
            )
        )
        for number, (key, text, shortcut, slot) in enumerate(specs):
            button = QPushButton(text, self)
            button.setObjectName(f"{key.replace('-', '_')}_button")
            button.setAccessibleName(text.replace("&", ""))
            if shortcut:
                button.setToolTip(f"{text.replace('&', '')} ({shortcut})")
                QShortcut(QKeySequence(shortcut), self, slot)
            if key in (
                "amend",
                "void",
                "print",
                "handover",
                "not-given",
                "close",
                "details",
                "slip",
            ):
                set_role(button, "secondary")
            if key == "stop":
                set_role(button, "danger")
            button.clicked.connect(slot)
            self.buttons[key] = button
            actions.addWidget(button, number // _COLUMNS, number % _COLUMNS)
        self.timeline_heading = QLabel(
            "History (newest first) — to amend or void an entry, select it in the history first",
            self,
        )
        self.timeline_heading.setWordWrap(True)
        self.timeline_heading.setProperty("role", "heading")
        self.timeline = TimelineView(context.tz, self)
        self.timeline_heading.setBuddy(self.timeline)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.patient_banner)
        layout.addWidget(self.protocol_banner)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.saved_banner)
        layout.addLayout(self.alerts_box)
        layout.addLayout(actions)
        layout.addWidget(self.timeline_heading)
        layout.addWidget(self.timeline, 1)
        QShortcut(QKeySequence("Ctrl+K"), self, self.acknowledge_most_urgent)
        self.timeline.selectionModel().selectionChanged.connect(self._update_buttons)
        self.timeline.doubleClicked.connect(lambda _index: self.open_amend())
        self.reload()

    # ------------------------------------------------------------------ state

    def reload(self) -> bool:
        """Re-read the episode from the store; False (banner shown) if it cannot be read."""
        try:
            state = self.context.store.episode(self.episode_uuid)
        except StoreError as exc:
            self.error_banner.show_message(AlertLevel.CRITICAL, "Cannot read the record", str(exc))
            return False
        self.state = state
        shown = self.context.episode_protocol(state)
        self.protocol = shown.protocol
        if shown.warning:
            self.protocol_banner.show_message(AlertLevel.WARNING, "Protocol changed", shown.warning)
        else:
            self.protocol_banner.clear()
        self.timeline.set_state(
            state, {rule.code: rule.label for rule in self.protocol.missed_reasons}
        )
        self.tick(self.context.clock())
        return True

    def tick(self, now: datetime) -> None:
        """Recompute the banner and due alerts at ``now`` (no store read)."""
        if self.state is None:
            return
        self._checked_at = now
        self.patient_banner.show_state(self.state, self.protocol, now, self.context.tz)
        self._show_alerts(due_items(self.state, self.protocol, now), now)
        self._update_buttons()

    def due_banner(self, key: str) -> AlertBanner | None:
        """The banner shown for a due item, if any."""
        return self.alert_banners.get(key)

    def _show_alerts(self, items: list[DueItem], now: datetime) -> None:
        wanted: dict[str, tuple[DueItem, Urgency]] = {}
        for item in items:
            urgency = urgency_of(item, now)
            if urgency in _BANNER_LEVELS:
                wanted[item.key] = (item, urgency)
        maintenance_offered = (
            self.state is not None
            and why_not("start-maintenance", self.state, self.protocol, now) is None
        )
        shape: list[tuple[str, tuple[str, ...]]] = []
        kept: set[str] = set()
        for key in list(self.alert_banners):
            if key not in wanted and not key.startswith("alert:"):
                gone = self.alert_banners.pop(key)
                self.alerts_box.removeWidget(gone)
                gone.hide()  # at once: the deletion waits for the event loop
                gone.deleteLater()
        for key, (item, urgency) in wanted.items():
            banner: AlertBanner | None = self.alert_banners.get(key)
            if banner is None:
                banner = AlertBanner(self, object_name=f"due_banner_{len(self.alert_banners)}")
                banner.sig_action.connect(
                    lambda action, k=key: self._on_due_banner_action(k, action)
                )
                self.alerts_box.addWidget(banner)
                self.alert_banners[key] = banner
            look = LOOKS[urgency]
            countdown = countdown_text(item, now)
            title = f"{short_label(item, self.protocol)} — {countdown}"
            detail = f"{item.label}\nDue {format_local(item.due_at, self.context.tz)}."
            if urgency is Urgency.OVERDUE_ACKNOWLEDGED:
                detail += "\n" + self._acknowledgement_words(item.key)
            elif urgency is Urgency.OVERDUE:
                detail += (
                    "\nIf not acknowledged this alert becomes URGENT 15 min after the due time."
                )
            actions: list[BannerAction] = []
            primary = _DUE_ACTIONS.get(item.kind)
            if primary is not None:
                # White-on-blue stands out on every banner colour, the red ones included.
                actions.append(BannerAction(primary[0], primary[1], "primary"))
            if item.kind is DueKind.LOAD_END and maintenance_offered:
                # The load is due to have finished: its end and the maintenance start can be
                # recorded together (the maintenance form says so).
                actions.append(BannerAction("maintenance", "Start maintenance"))
            if not item.acknowledged and urgency.overdue:
                actions.append(BannerAction("acknowledge", "Acknowledge…"))
            banner.show_message(look.alert_level, title, detail, tuple(actions))
            shape.append((key, tuple(action.action_id for action in actions)))
        # The core's other open alerts (a stop trigger in saved observations, a missing
        # baseline, a data problem): each stays until its action is recorded or it is
        # acknowledged with a reason (core.alerts), across restarts.
        assert self.state is not None
        for alert in open_alerts(self.state, self.protocol, now):
            if alert.id in wanted:
                continue
            key = f"alert:{alert.id}"
            banner = self.alert_banners.get(key)
            if banner is None:
                banner = AlertBanner(self, object_name=f"alert_banner_{len(self.alert_banners)}")
                banner.sig_action.connect(
                    lambda action, a=alert.id: self._on_alert_banner_action(a, action)
                )
                self.alerts_box.addWidget(banner)
                self.alert_banners[key] = banner
            kept.add(key)
            alert_actions = (BannerAction("acknowledge-alert", "Acknowledge…", "primary"),)
            banner.show_message(
                AlertLevel(alert.severity.value),
                _ALERT_TITLES.get(alert.kind, "Alert"),
                # Core's words without the project's own document references.
                plain_citation(alert.message),
                alert_actions,
            )
            shape.append((key, ("acknowledge-alert",)))
        for key in [k for k in self.alert_banners if k.startswith("alert:") and k not in kept]:
            gone = self.alert_banners.pop(key)
            self.alerts_box.removeWidget(gone)
            gone.deleteLater()
        self._due_items = {item.key: item for item in items}
        if tuple(shape) != self._banner_shape:
            # A banner came, went, or gained or lost a button: Tab order follows the screen.
            self._banner_shape = tuple(shape)
            self._order_tabs()

    def _order_tabs(self) -> None:
        """Tab reaches the alerts first, then the actions, then the history."""
        chain: list[QWidget] = []
        for banner in self.alert_banners.values():
            chain.extend(banner.findChildren(QPushButton))
        chain.extend(self.buttons.values())
        chain.append(self.timeline)
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def acknowledge_most_urgent(self) -> ActionDialog | None:
        """Ctrl+K: acknowledge the loudest overdue item not yet acknowledged."""
        if self.state is None:
            return None
        now = self.context.clock()
        pending = [
            item
            for item in due_items(self.state, self.protocol, now)
            if urgency_of(item, now) in (Urgency.URGENT, Urgency.OVERDUE)
        ]
        if not pending:
            return None
        return self.acknowledge(min(pending, key=lambda i: (urgency_of(i, now), i.due_at)))

    def _acknowledgement_words(self, key: str) -> str:
        assert self.state is not None
        for at, ack, actor in reversed(self.state.alerts_acknowledged):
            if ack.key == key:
                action = f": {ack.action_taken}" if ack.action_taken else ""
                return (
                    f"Acknowledged {format_local(at, self.context.tz)} by {actor_text(actor)}"
                    f"{action}."
                )
        return "Acknowledged."

    def _on_due_banner_action(self, key: str, action: str) -> None:
        item = self._due_items.get(key)
        if action == "acknowledge" and item is not None:
            self.acknowledge(item)
        elif action == "observations":
            self.open_observations()
        elif action == "load-end":
            self.open_load_end()
        elif action == "maintenance":
            self.open_maintenance()
        elif action == "stop":
            self.open_stop()

    def _on_alert_banner_action(self, alert_id: str, action: str) -> None:
        if action == "acknowledge-alert":
            self.open_form("acknowledge", alert=alert_id)

    def _update_buttons(self, *_args: object) -> None:
        state = self.state
        if state is None:
            for button in self.buttons.values():
                button.setEnabled(False)
            return
        now = self._checked_at or self.context.clock()
        # Which actions are offered, and why not, is core's (core.actions.why_not).
        entry = self.timeline.selected_entry()
        reasons: dict[str, str | None] = {
            button: why_not(key, state, self.protocol, now)
            for button, key in _BUTTON_ACTIONS.items()
        }
        reasons |= {
            "amend": "Select an entry in the history first."
            if entry is None
            else why_not_amendable(entry),
            "void": "Select an entry in the history first."
            if entry is None
            else why_not_voidable(entry),
            "print": self._rendering_reason("proforma"),
            "handover": self._rendering_reason("handover"),
            # The proforma's own fields follow the information-given rule (core.actions).
            "details": why_not("information-given", state, self.protocol, now),
            "slip": "No birth is recorded yet: the slip follows a birth."
            if not state.births
            else self._rendering_reason("neonatal-slip"),
        }
        for key, button in self.buttons.items():
            reason = reasons.get(key)
            button.setEnabled(reason is None)
            base = button.text().replace("&", "")
            button.setToolTip(base if reason is None else f"{base}: {reason}")
            button.setAccessibleDescription(reason or "")

    # ------------------------------------------------------------------ actions

    def _open(self, dialog: ActionDialog) -> ActionDialog:
        delete_on_close(dialog, self, "active_dialog")
        # A bound method, not a lambda holding the dialog: the dialog is deleted when it closes.
        dialog.sig_saved.connect(self._on_dialog_saved)
        self.active_dialog = dialog
        dialog.open()
        return dialog

    def _on_dialog_saved(self, events: list[Any]) -> None:
        # "Saved" only after the store returned the committed events.
        saved = ", ".join(
            event_label(e.type) for e in events if e.type is not EventType.ALERT_RAISED
        )
        if any(e.type is EventType.BIRTH for e in events):
            # Offer the neonatal data slip at each birth (issue 16).
            saved += " · print the neonatal data slip: Neonatal slip"
        at = format_local(self.context.clock(), self.context.tz)
        self.saved_banner.show_message(AlertLevel.OK, f"Saved {at}", saved)
        self.reload()

    def _need_state(self) -> EpisodeState | None:
        if self.state is None:
            self.reload()
        return self.state

    def open_observations(self) -> ObservationDialog | None:
        """Open the observations form."""
        state = self._need_state()
        if state is None:
            return None
        dialog = ObservationDialog(self.context, state, self.protocol, self)
        self._open(dialog)
        return dialog

    def _simple(self, factory: _DialogFactory, key: str) -> ActionDialog | None:
        state = self._need_state()
        if state is None or not self.buttons[key].isEnabled():
            return None
        return self._open(factory(self.context, state, self.protocol, self))

    def open_form(self, key: str, **preset: Any) -> ActionDialog | None:
        """Open the registry form of an action (``gui.episode.forms.FORMS``)."""
        state = self._need_state()
        if state is None or not self.buttons[key].isEnabled():
            return None
        dialog = RegistryDialog(self.context, state, self.protocol, self, form=FORMS[key])
        for name, value in preset.items():
            widget = dialog.input(name)
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(value), 0))
        return self._open(dialog)

    def open_load_end(self) -> ActionDialog | None:
        """Record the end of the loading dose."""
        return self._simple(LoadEndDialog, "load-end")

    def open_maintenance(self) -> ActionDialog | None:
        """Start the maintenance infusion."""
        return self._simple(MaintenanceStartDialog, "maintenance")

    def open_syringe(self) -> ActionDialog | None:
        """Record a change of syringe."""
        return self._simple(SyringeChangeDialog, "syringe")

    def open_rate(self) -> ActionDialog | None:
        """Change the pump rate."""
        return self._simple(RateChangeDialog, "rate")

    def open_stop(self) -> ActionDialog | None:
        """Stop the infusion (asks for the reason; this is the confirmation)."""
        return self._simple(StopDialog, "stop")

    def open_birth(self) -> ActionDialog | None:
        """Record a baby's birth."""
        return self._simple(BirthDialog, "birth")

    def open_details(self) -> ActionDialog | None:
        """Record one of the proforma's own fields (labour, steroids, prescriber…)."""
        from mgso4.gui.episode.details import DetailsDialog

        return self._simple(DetailsDialog, "details")

    def print_slip(self) -> None:
        """Make the neonatal data slip off the GUI thread, then show the print preview."""
        self._print_document(_DOCUMENTS["neonatal-slip"])

    def open_not_given(self) -> ActionDialog | None:
        """Record why MgSO₄ was not given."""
        return self._simple(NotGivenDialog, "not-given")

    def open_amend(self) -> ActionDialog | None:
        """Amend the selected entry."""
        state = self._need_state()
        entry = self.timeline.selected_entry()
        if state is None or entry is None or why_not_amendable(entry):
            return None
        return self._open(AmendDialog(self.context, state, self.protocol, entry, self))

    def open_void(self) -> ActionDialog | None:
        """Void the selected entry."""
        state = self._need_state()
        entry = self.timeline.selected_entry()
        if state is None or entry is None or why_not_voidable(entry):
            return None
        return self._open(VoidDialog(self.context, state, self.protocol, entry, self))

    def acknowledge(self, item: DueItem) -> ActionDialog | None:
        """Acknowledge an overdue item (logged with its key)."""
        state = self._need_state()
        if state is None:
            return None
        return self._open(AcknowledgeDialog(self.context, state, self.protocol, self, item=item))

    def select_entry(self, event_uuid: str) -> bool:
        """Select an entry in the history (for amend/void)."""
        row = self.timeline.timeline_model.row_of(event_uuid)
        if row is None:
            return False
        self.timeline.selectRow(row)
        return True

    # ------------------------------------------------------------------ printing

    def print_proforma(self) -> None:
        """Make the completed proforma off the GUI thread, then show the print preview."""
        self._print_document(_DOCUMENTS["proforma"])

    def print_handover(self) -> None:
        """Make the in-utero transfer handover off the GUI thread, then show the print preview."""
        self._print_document(_DOCUMENTS["handover"])

    def _rendering_reason(self, document: str) -> str | None:
        if document in self._rendering:
            return f"The {_DOCUMENTS[document].name} is being prepared."
        return None

    def _print_document(self, spec: _EpisodeDocument) -> None:
        state = self._need_state()
        if state is None or spec.document in self._rendering:
            return
        if self.context.user is None:
            # The print is logged under a name: ask once, then carry on.
            from mgso4.gui.widgets.user_dialog import UserDialog

            dialog = delete_on_close(UserDialog(None, self), self, "active_dialog")
            self.active_dialog = dialog

            def _on_user_dialog_finished(result: int) -> None:
                if result == QDialog.DialogCode.Accepted and dialog.actor is not None:
                    self.context.user = dialog.actor
                    self._print_document(spec)

            dialog.finished.connect(_on_user_dialog_finished)
            dialog.open()
            return
        try:
            # Read on the GUI thread, where the store is used; the paper and the log carry it.
            chain_head = self.context.store.chain_head()
        except StoreError as exc:
            self.error_banner.show_message(AlertLevel.CRITICAL, "Cannot print", str(exc))
            return
        protocol = self.protocol
        preparations = self.context.preparations
        unit_name = self.context.settings.unit_name
        printed_at = self.context.clock()
        tz = self.context.tz
        self._rendering.add(spec.document)
        self._update_buttons()
        self.saved_banner.show_message(AlertLevel.INFO, f"Preparing the {spec.name}…")
        # Lay out and paint "Preparing…" now, before the render starts: laying out and
        # painting the page still calls into Python, and beside a render thread each call
        # waits its turn for the interpreter lock (longest stall over 15 prints: 43 ms with
        # this, 99 ms without).
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.repaint()

        def work(report: Callable[[int, str], None]) -> bytes:
            # Imported here, on the worker thread: the first import of the renderers
            # (reportlab) would otherwise hold the GUI thread for about half a second.
            from mgso4.reports import render_handover, render_neonatal_slip, render_proforma

            if spec.document == "neonatal-slip":
                return render_neonatal_slip(
                    state,
                    protocol,
                    unit_name=unit_name,
                    chain_head=chain_head,
                    printed_at=printed_at,
                    tz=tz,
                )
            render = render_handover if spec.document == "handover" else render_proforma
            return render(
                state,
                protocol,
                preparations,
                unit_name=unit_name,
                chain_head=chain_head,
                printed_at=printed_at,
                tz=tz,
            )

        self.tasks.run(
            f"{spec.title} PDF",
            work,
            on_finished=lambda pdf: self._on_document_rendered(spec, pdf, chain_head),
            on_failed=lambda message: self._on_document_failed(spec, message),
        )

    def _on_document_rendered(self, spec: _EpisodeDocument, pdf: bytes, chain_head: str) -> None:
        if not shiboken6.isValid(self):
            return  # the page was closed while the document was being made
        self._rendering.discard(spec.document)
        self._update_buttons()
        self.last_pdf = pdf
        self.saved_banner.show_message(
            AlertLevel.INFO,
            f"{spec.title} ready",
            f"Chain head {chain_head[:12]}; logged as printed once it is sent to the printer.",
        )
        self._show_pdf(pdf, chain_head, spec)

    def _on_document_failed(self, spec: _EpisodeDocument, message: str) -> None:
        if not shiboken6.isValid(self):
            return  # the page was closed while the document was being made
        self._rendering.discard(spec.document)
        self._update_buttons()
        self.saved_banner.clear()
        self.error_banner.show_message(
            AlertLevel.CRITICAL, f"The {spec.name} could not be made", message
        )

    def log_printed(self, chain_head: str, document: str = "proforma") -> bool:
        """Record a ``printed`` event with the chain head printed on the paper.

        Args:
            chain_head: The record's chain head when the document was made (SHA-256 hex).
            document: ``"proforma"`` or ``"handover"``.

        Returns:
            True when the event was saved; False (with a banner saying why) when it was not.
        """
        actor = self.context.user
        if self.state is None or actor is None:
            return False
        spec = _DOCUMENTS[document]
        draft = EventDraft.make(
            EventType.PRINTED,
            Printed(document=spec.document, chain_head=chain_head),
            episode_uuid=self.state.uuid,
            occurred_at=self.context.clock(),
            recorded_by=actor,
        )
        try:
            self.context.record([draft], self.protocol)
        except StoreError as exc:
            self.error_banner.show_message(
                AlertLevel.CRITICAL, "Print not logged", f"{exc} The paper copy is still valid."
            )
            return False
        self.saved_banner.show_message(
            AlertLevel.OK,
            f"Saved {format_local(self.context.clock(), self.context.tz)}",
            f"{spec.title} logged as printed (chain head {chain_head[:12]}).",
        )
        self.reload()
        return True

    def _show_pdf(self, pdf: bytes, chain_head: str, spec: _EpisodeDocument) -> None:
        try:
            from mgso4.gui.printing import PdfPreviewDialog
        except ImportError:
            self.error_banner.show_message(
                AlertLevel.WARNING,
                "Print preview not available",
                f"This build has no print preview; the {spec.name} was made but cannot be shown.",
            )
            return
        assert self.state is not None
        dialog = PdfPreviewDialog(
            self,
            title=f"{spec.title}: {self.state.patient.name}",
            suggested_file_name=f"{spec.document}-{self.state.uuid[:8]}.pdf",
        )
        delete_on_close(dialog, self, "active_dialog", "preview_dialog")
        dialog.set_pdf(pdf)
        dialog.sig_printed.connect(lambda: self.log_printed(chain_head, spec.document))
        self.active_dialog = dialog
        self.preview_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
