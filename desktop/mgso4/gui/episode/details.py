""" "Details…": the fields a proforma records besides the infusion (decisions.md §16).

One dialog for the registry actions ``labour-evidence``, ``antenatal-steroids``,
``neonatal-team-informed``, ``in-utero-transfer``, ``pre-load-checks``, ``prescribed`` and
``information-given``: choose what to record, fill in its fields, save. The dialog holds no
rule: the typed values go to :func:`mgso4.core.actions.plan` exactly as a ``mgso4 record`` line
would, and the store checks them again as it saves. A refusal is shown in words and everything
typed stays in the form.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QStackedWidget,
    QWidget,
)

from mgso4.core import actions as core_actions
from mgso4.core.episode import EventDraft
from mgso4.core.vocab import Role
from mgso4.gui.episode.action_dialog import Form
from mgso4.gui.episode.actions import TimedDialog
from mgso4.gui.widgets.user_dialog import ROLE_LABELS

#: The actions this dialog records, in the order offered (registry keys).
DETAIL_ACTIONS: tuple[str, ...] = (
    "labour-evidence",
    "antenatal-steroids",
    "information-given",
    "prescribed",
    "neonatal-team-informed",
    "pre-load-checks",
    "in-utero-transfer",
)


def _combo(parent: QWidget, name: str, items: Sequence[tuple[str, str]]) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    for value, text in items:
        combo.addItem(text, value)
    return combo


def _edit(parent: QWidget, name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setPlaceholderText(placeholder)
    return edit


def _time_text(edit: QLineEdit) -> str | None:
    """A typed local time in the scripting form ("2026-03-10 09:35" → "2026-03-10T09:35")."""
    text = edit.text().strip()
    return text.replace(" ", "T", 1) if text else None


class DetailsDialog(TimedDialog):
    """Record one of the proforma's own fields (decisions.md §16)."""

    FORM = Form(
        title="Details for the proforma",
        save_label="Save",
        object_name="details_dialog",
        time_what="time (examined, given, told…)",
    )

    def build(self) -> None:
        self.kind = _combo(
            self,
            "details_kind_combo",
            [(key, core_actions.ACTIONS[key].label) for key in DETAIL_ACTIONS],
        )
        self.kind_message = self.add_row("What", self.kind)
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("details_pages")
        self._values: dict[str, dict[str, Any]] = {}
        for key in DETAIL_ACTIONS:
            self.pages.addWidget(self._page(key))
        self.add_wide(self.pages)
        self.kind.currentIndexChanged.connect(self.pages.setCurrentIndex)
        self.add_user_fields()
        self.resize(640, 420)

    # ------------------------------------------------------------------ pages

    def _page(self, key: str) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        widgets: dict[str, Any] = {}
        if key == "labour-evidence":
            widgets["kind"] = _combo(
                page,
                "labour_kind_combo",
                [
                    ("established-labour", "Established labour"),
                    ("planned-birth", "Planned birth"),
                ],
            )
            widgets["dilatation_cm"] = _edit(page, "dilatation_edit", "cm, e.g. 5")
            widgets["planned_birth_at"] = _edit(page, "planned_birth_edit", "YYYY-MM-DD HH:MM")
            widgets["mode"] = _combo(
                page,
                "birth_mode_combo",
                [("", "—"), ("vaginal", "Vaginal"), ("caesarean", "Caesarean")],
            )
            form.addRow("Evidence", widgets["kind"])
            form.addRow("Cervical dilatation", widgets["dilatation_cm"])
            form.addRow("Planned birth time", widgets["planned_birth_at"])
            form.addRow("Mode of birth", widgets["mode"])
        elif key == "antenatal-steroids":
            widgets["status"] = _combo(
                page,
                "steroids_combo",
                [("given", "Given"), ("not-given", "Not given"), ("not-known", "Not known")],
            )
            widgets["first_dose_at"] = _edit(page, "first_dose_edit", "YYYY-MM-DD HH:MM")
            widgets["second_dose_at"] = _edit(page, "second_dose_edit", "YYYY-MM-DD HH:MM")
            form.addRow("Steroids", widgets["status"])
            form.addRow("First dose", widgets["first_dose_at"])
            form.addRow("Second dose", widgets["second_dose_at"])
        elif key == "information-given":
            widgets["agreement"] = _combo(
                page,
                "agreement_combo",
                [
                    ("agreed", "Agreed"),
                    ("declined", "Declined"),
                    ("not-able-to-discuss", "Not able to discuss"),
                ],
            )
            widgets["off_label_discussed"] = QCheckBox("Off-label use explained", page)
            widgets["off_label_discussed"].setObjectName("off_label_check")
            widgets["given_to"] = _edit(page, "given_to_edit", "e.g. the woman and her partner")
            widgets["note"] = _edit(page, "information_note_edit", "why, if not able to discuss")
            form.addRow("Her answer", widgets["agreement"])
            form.addRow("", widgets["off_label_discussed"])
            form.addRow("Told", widgets["given_to"])
            form.addRow("Note", widgets["note"])
        elif key == "prescribed":
            widgets["name"] = _edit(page, "prescriber_name_edit", "name")
            widgets["role"] = _combo(
                page, "prescriber_role_combo", [(r.value, t) for r, t in ROLE_LABELS.items()]
            )
            widgets["role"].setCurrentIndex(max(0, widgets["role"].findData(Role.OBSTETRICIAN)))
            form.addRow("Prescriber", widgets["name"])
            form.addRow("Role", widgets["role"])
        elif key == "neonatal-team-informed":
            widgets["told"] = _edit(page, "neonatal_told_edit", "e.g. neonatal registrar")
            form.addRow("Who was told", widgets["told"])
        elif key == "pre-load-checks":
            widgets["calcium_gluconate_available"] = QCheckBox(
                "Calcium gluconate 10% at hand", page
            )
            widgets["calcium_gluconate_available"].setObjectName("calcium_check")
            widgets["pump"] = _edit(page, "pump_edit", "pump identifier")
            widgets["batch"] = _edit(page, "batch_edit", "MgSO₄ batch or lot")
            form.addRow("", widgets["calcium_gluconate_available"])
            form.addRow("Pump", widgets["pump"])
            form.addRow("Batch / lot", widgets["batch"])
        elif key == "in-utero-transfer":
            widgets["from_unit"] = _edit(page, "transfer_from_edit", "sending unit")
            widgets["to_unit"] = _edit(page, "transfer_to_edit", "receiving unit")
            form.addRow("From", widgets["from_unit"])
            form.addRow("To", widgets["to_unit"])
        self._values[key] = widgets
        return page

    def fields_to_fill(self) -> Sequence[QWidget]:
        return (self.time_field.line_edit,)

    # ------------------------------------------------------------------ saving

    def chosen(self) -> str:
        """The registry key being recorded."""
        return str(self.kind.currentData())

    def fields(self) -> dict[str, Any]:
        """The scripting fields of the chosen action, from the form."""
        key = self.chosen()
        widgets = self._values[key]
        values: dict[str, Any] = {}
        for name, widget in widgets.items():
            if isinstance(widget, QCheckBox):
                values[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                data = widget.currentData()
                if data:
                    values[name] = data
            elif name.endswith("_at"):
                text = _time_text(widget)
                if text:
                    values[name] = text
            else:
                text = widget.text().strip()
                if text:
                    values[name] = text
        if key == "prescribed":
            values = {"prescriber": {"name": values.get("name", ""), "role": values["role"]}}
        return values

    def drafts(self) -> Sequence[EventDraft] | None:
        occurred_at = self.time_field.value()
        actor = self.recorded_by()
        if occurred_at is None or actor is None:
            return None
        context = core_actions.LineContext(
            episode_uuid=self.state.uuid,
            state=self.state,
            protocol=self.protocol,
            preparations=self.context.preparations,
            at=occurred_at,
            by=actor,
            tz=self.context.tz,
            now=self.context.clock(),
        )
        try:
            drafts = core_actions.plan(self.chosen(), self.fields(), context)
        except core_actions.ActionRefused as exc:
            self.kind_message.show_error(str(exc))
            return None
        self.kind_message.clear_message()
        return drafts


__all__ = ["DETAIL_ACTIONS", "DetailsDialog"]
