"""Corrections: amend an entry (new values, a reason) or void it (entered in error, a reason).

Nothing is overwritten: an ``amendment`` event names the entry, the changed fields and the
reason; a ``void`` event names the entry and the reason. The timeline shows both.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from mgso4.core.actions import (  # the rules are core's; re-exported for the dialogs
    NOT_AMENDABLE,
    NOT_VOIDABLE,
    why_not_amendable,
    why_not_voidable,
)
from mgso4.core.episode import (
    PAYLOAD_MODELS,
    Amendment,
    EpisodeState,
    EventDraft,
    EventError,
    EventType,
    TimelineEntry,
    Void,
    amended_payload,
    validate_payload,
)
from mgso4.core.identifiers import check_for_mode, check_identifier
from mgso4.core.protocol import Protocol
from mgso4.core.timeutil import LocalTimeError, format_local, parse_local_date
from mgso4.core.vocab import IdentifierType
from mgso4.gui.context import AppContext
from mgso4.gui.episode.action_dialog import ActionDialog, actor_text
from mgso4.gui.episode.inputs import InputError, parse_decimal_field, parse_whole_number
from mgso4.gui.widgets.alert_banner import AlertLevel
from mgso4.gui.widgets.field_message import FieldMessage
from mgso4.gui.widgets.time_field import TimeField
from mgso4.reports.describe import event_label, field_label, lookup, summary

__all__ = [
    "NOT_AMENDABLE",
    "NOT_VOIDABLE",
    "AmendDialog",
    "VoidDialog",
    "why_not_amendable",
    "why_not_voidable",
]


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


@dataclass
class _Editor:
    """One editable field: dotted name, its widget, message and how to read it."""

    name: str
    kind: str  # "int", "decimal", "text", "bool", "choice", "date", "identifier"
    widget: QWidget
    message: FieldMessage
    model: type[BaseModel]
    field: str
    optional: bool
    current: Any


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


def _merged(payload: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The payload with the changes applied (nested dicts merged), as the fold will do it."""
    return amended_payload(payload, changes)


def _same(current: Any, new: Any, kind: str) -> bool:
    if current is None or new is None:
        return current is None and new is None
    if kind == "decimal":
        return Decimal(str(current)) == Decimal(str(new))
    return bool(_json(current) == _json(new))


class AmendDialog(ActionDialog):
    """Correct an entry: change its fields and/or its clinical time, with a reason."""

    def __init__(
        self,
        context: AppContext,
        state: EpisodeState,
        protocol: Protocol,
        entry: TimelineEntry,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            context,
            state,
            protocol,
            title=f"Amend: {event_label(entry.event.type)}",
            save_label="Save correction",
            object_name="amend_dialog",
            parent=parent,
        )
        self.entry = entry
        event = entry.event
        about = QLabel(
            f"Entry of {format_local(entry.effective_occurred_at, context.tz)} recorded by "
            f"{actor_text(event.recorded_by)}: {summary(event.type, entry.effective_payload)}",
            self,
        )
        about.setWordWrap(True)
        about.setObjectName("amend_about_label")
        self.add_wide(about)
        self.time_field = TimeField(
            context.clock, context.tz, what="clinical time", object_name="amend_time"
        )
        self.time_field.set_value(entry.effective_occurred_at)
        time_label = QLabel("Clinical time", self)
        time_label.setBuddy(self.time_field.line_edit)
        self.form.addWidget(time_label, self._next_row, 0)
        self.form.addWidget(self.time_field, self._next_row, 1, 1, 2)
        self._next_row += 1
        self.editors: list[_Editor] = []
        self._add_editors(PAYLOAD_MODELS[event.type], entry.effective_payload, prefix="")
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("amend_reason_edit")
        self.reason_edit.setPlaceholderText("e.g. pulse typed as 48, was 84")
        self.reason_message = self.add_row(
            "Reason for the correction",
            self.reason_edit,
            accessible_name="Reason for the correction",
        )
        self.add_user_fields()
        self.set_preferred_size(680, 640)

    def fields_to_fill(self) -> Sequence[QWidget]:
        """The reason (the entry's own values are filled in, ready to correct)."""
        return (self.reason_edit,)

    def editor(self, dotted_name: str) -> _Editor:
        """The editor of a field (e.g. ``"pulse_per_min"`` or ``"patient.name"``)."""
        return next(e for e in self.editors if e.name == dotted_name)

    def _add_editors(self, model: type[BaseModel], payload: dict[str, Any], prefix: str) -> None:
        for name, info in model.model_fields.items():
            dotted = f"{prefix}{name}"
            annotation, optional = _strip_optional(info.annotation)
            current = payload.get(name)
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                if not prefix and isinstance(current, dict):
                    self._add_editors(annotation, current, prefix=f"{dotted}.")
                continue
            widget: QWidget
            object_name = dotted.replace(".", "_") + "_field"
            if dotted == "patient.identifier":
                kind = "identifier"
                widget = QLineEdit(str(current or ""), self)
            elif annotation is bool and optional:
                # Asked or not: "not recorded" stays unset, never turned into "no".
                kind = "choice"
                widget = self._choice([("no", False), ("yes", True)], current, optional)
            elif annotation is bool:
                kind = "bool"
                widget = QCheckBox(self)
                widget.setChecked(bool(current))
            elif annotation is int:
                kind = "int"
                widget = QLineEdit("" if current is None else str(current), self)
            elif annotation is Decimal:
                kind = "decimal"
                widget = QLineEdit("" if current is None else str(current), self)
            elif annotation is str:
                kind = "text"
                widget = QLineEdit(str(current or ""), self)
            elif annotation is date:
                kind = "date"
                widget = QLineEdit(str(current or ""), self)
                widget.setPlaceholderText("YYYY-MM-DD")
            elif isinstance(annotation, type) and issubclass(annotation, Enum):
                kind = "choice"
                widget = self._choice(
                    [(str(m.value), m.value) for m in annotation], current, optional
                )
            elif typing.get_origin(annotation) is Literal:
                kind = "choice"
                widget = self._choice(
                    [(str(v), v) for v in typing.get_args(annotation)], current, optional
                )
            else:
                continue  # lists of codes and the like are not edited here
            widget.setObjectName(object_name)
            label = field_label(dotted)
            message = self.add_row(label, widget, accessible_name=label)
            self.editors.append(
                _Editor(dotted, kind, widget, message, model, name, optional, current)
            )

    def _choice(self, options: list[tuple[str, Any]], current: Any, optional: bool) -> QComboBox:
        combo = QComboBox(self)
        if optional:
            combo.addItem("not recorded", None)
        for text, value in options:
            combo.addItem(text, value)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        return combo

    def _read(self, editor: _Editor) -> Any:
        """The editor's value (raises InputError with the message)."""
        widget = editor.widget
        label = field_label(editor.name)
        if editor.kind == "bool":
            assert isinstance(widget, QCheckBox)
            return widget.isChecked()
        if editor.kind == "choice":
            assert isinstance(widget, QComboBox)
            return widget.currentData()
        assert isinstance(widget, QLineEdit)
        text = widget.text()
        if editor.kind == "int":
            return parse_whole_number(
                text,
                label=label,
                unit="",
                model=editor.model,
                field=editor.field,
                required=not editor.optional,
            )
        if editor.kind == "decimal":
            return parse_decimal_field(
                text,
                label=label,
                unit="",
                model=editor.model,
                field=editor.field,
                required=not editor.optional,
            )
        if editor.kind == "date":
            if not text.strip() and editor.optional:
                return None
            try:
                return parse_local_date(text)
            except LocalTimeError as exc:
                raise InputError(str(exc)) from None
        if editor.kind == "identifier":
            id_type = IdentifierType(lookup(self.entry.effective_payload, "patient.id_type"))
            check = check_identifier(text, id_type)
            problem = check_for_mode(check, self.context.training)
            if not check.valid or (self.context.training and not check.synthetic):
                raise InputError(problem or "This number cannot be used.")
            return check.normalised
        stripped = text.strip()
        return stripped if stripped or not editor.optional else ""

    def changes(self) -> tuple[dict[str, Any], bool]:
        """(changed fields as nested JSON, every field readable)."""
        changes: dict[str, Any] = {}
        ok = True
        for editor in self.editors:
            try:
                value = self._read(editor)
            except InputError as exc:
                editor.message.show_error(str(exc))
                ok = False
                continue
            editor.message.clear_message()
            if _same(editor.current, value, editor.kind):
                continue
            target = changes
            parts = editor.name.split(".")
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = _json(value)
        return changes, ok

    def drafts(self) -> Sequence[EventDraft] | None:
        changes, ok = self.changes()
        occurred_at = self.time_field.value()
        reason = self.reason_edit.text().strip()
        if not reason:
            self.reason_message.show_error(
                "A reason is needed: say what was wrong (it is kept with the correction)."
            )
            ok = False
        else:
            self.reason_message.clear_message()
        actor = self.recorded_by()
        if not ok or occurred_at is None or actor is None:
            return None
        time_changed = occurred_at != self.entry.effective_occurred_at
        if not changes and not time_changed:
            self.error_banner.show_message(
                AlertLevel.WARNING,
                "Nothing was changed",
                "Change a value or the clinical time, or cancel.",
            )
            return None
        if changes:
            try:
                validate_payload(
                    self.entry.event.type, _merged(self.entry.effective_payload, changes)
                )
            except EventError as exc:
                self.error_banner.show_message(AlertLevel.CRITICAL, "Not saved", str(exc))
                return None
        payload = Amendment(
            target=self.entry.event.uuid,
            reason=reason,
            changes=changes,
            occurred_at=occurred_at if time_changed else None,
        )
        return [
            EventDraft.make(
                EventType.AMENDMENT,
                payload,
                episode_uuid=self.state.uuid,
                occurred_at=self.context.clock(),
                recorded_by=actor,
            )
        ]


class VoidDialog(ActionDialog):
    """Mark an entry as entered in error, with a reason; it stays visible, struck through."""

    def __init__(
        self,
        context: AppContext,
        state: EpisodeState,
        protocol: Protocol,
        entry: TimelineEntry,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            context,
            state,
            protocol,
            title=f"Void (entered in error): {event_label(entry.event.type)}",
            save_label="Void entry",
            object_name="void_dialog",
            parent=parent,
        )
        self.entry = entry
        about = QLabel(
            f"Entry of {format_local(entry.effective_occurred_at, context.tz)} recorded by "
            f"{actor_text(entry.event.recorded_by)}: "
            f"{summary(entry.event.type, entry.effective_payload)}\n"
            "It stays in the history, struck through and marked VOIDED with your reason.",
            self,
        )
        about.setWordWrap(True)
        about.setObjectName("void_about_label")
        self.add_wide(about)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("void_reason_edit")
        self.reason_edit.setPlaceholderText("e.g. recorded in the wrong woman's episode")
        self.reason_message = self.add_row(
            "Reason", self.reason_edit, accessible_name="Reason the entry is void"
        )
        self.add_user_fields()

    def fields_to_fill(self) -> Sequence[QWidget]:
        """The reason."""
        return (self.reason_edit,)

    def drafts(self) -> Sequence[EventDraft] | None:
        reason = self.reason_edit.text().strip()
        ok = True
        if not reason:
            self.reason_message.show_error("A reason is needed: say why this entry is wrong.")
            ok = False
        else:
            self.reason_message.clear_message()
        problem = why_not_voidable(self.entry)
        if problem:
            self.error_banner.show_message(AlertLevel.WARNING, "Cannot void", problem)
            ok = False
        actor = self.recorded_by()
        if not ok or actor is None:
            return None
        return [
            EventDraft.make(
                EventType.VOID,
                Void(target=self.entry.event.uuid, reason=reason),
                episode_uuid=self.state.uuid,
                occurred_at=self.context.clock(),
                recorded_by=actor,
            )
        ]
