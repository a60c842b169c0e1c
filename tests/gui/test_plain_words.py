"""No internal document references or codes on any screen a user looks at.

The loading and maintenance pages said "decisions.md 3; [D5]", the not-given form
"(reference §3.3, a synthesis)", the history "Give yes" and "Reason code NG-IMMINENT", the audit
chart its reason codes. These tests open the screens and read every text they show.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QWidget,
)
from pytestqt.qtbot import QtBot

from mgso4.core.citations import cite, plain_citation
from mgso4.core.episode import EventType
from mgso4.core.flow import Step
from mgso4.gui.app import build_main_window
from mgso4.gui.wizard import NewEpisodeWizard

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools" / "screenshots"))

#: What must never reach a screen: the project's documents, tags no protocol lists, codes.
INTERNAL = re.compile(
    r"decisions\.md|reference\.md|reference §|\[D5\]|\bNG-[A-Z]|Give yes|Give no\b"
    r"|Reason code|Key finding:"
)


def shown_texts(root: QWidget) -> list[str]:
    """Every text a widget and its visible children show."""
    texts = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) and widget is not root:
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts.extend(widget.itemText(i) for i in range(widget.count()))
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for row in range(model.rowCount()):
                for column in range(model.columnCount()):
                    value = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole)
                    texts.append(str(value or ""))
    return texts


def internal_words(root: QWidget) -> list[str]:
    return [text for text in shown_texts(root) if INTERNAL.search(text)]


def test_source_notes_read_as_the_protocol_cites_them(context: Any) -> None:
    protocol = context.protocol
    assert plain_citation("decisions.md 3; [D5] 20% product: 4 g = 20 mL") == (
        "[D5] 20% product: 4 g = 20 mL"
    )
    words = cite("decisions.md 3; [D5] 20% product: 4 g = 20 mL", protocol)
    assert words == "20% product: 4 g = 20 mL"
    assert cite("[N1] 1.10.4", protocol) == "NICE NG25 Preterm labour and birth 1.10.4"
    assert "reference" not in cite("[S3]", protocol)


def test_the_wizard_pages_show_no_internal_references(context: Any, qtbot: QtBot) -> None:
    from wizard_pages import _current_step, fill_page, press_next

    wizard = NewEpisodeWizard(context)
    qtbot.addWidget(wizard)
    wizard.show()
    found: dict[str, list[str]] = {}
    while True:
        step = _current_step(wizard)
        fill_page(wizard, step)
        QApplication.processEvents()
        bad = internal_words(wizard.currentPage())
        if bad:
            found[step.value] = bad
        if step is Step.DONE:
            break
        press_next(wizard)
    assert found == {}


def test_episode_history_and_forms_are_in_plain_words(
    context: Any, add_episode: Any, qtbot: QtBot
) -> None:
    from mgso4.core.episode import EventDraft, NotGiven

    window = build_main_window(context)
    qtbot.addWidget(window)
    window.show()
    given = add_episode(obs_minutes_ago=(30,))
    not_given = add_episode(name="Second PATIENT", identifier="9990000026", load_minutes_ago=None)
    context.store.append_many(
        [
            EventDraft.make(
                EventType.NOT_GIVEN,
                NotGiven(reason_code="NG-IMMINENT"),
                episode_uuid=not_given,
                occurred_at=context.clock(),
                recorded_by=context.user,
            )
        ],
        context.protocol,
    )
    found: dict[str, list[str]] = {}
    for uuid in (given, not_given):
        view = window.open_episode(uuid)
        QApplication.processEvents()
        found[f"episode {uuid[:4]}"] = internal_words(window)
        history = "\n".join(shown_texts(view.timeline))
        if uuid == given:
            assert "Decision: give MgSO₄ — by" in history
        else:
            assert "Not given: birth" in history or "Not given: " in history
        for opener in (view.open_maintenance, view.open_not_given, view.open_observations):
            dialog = opener()
            if dialog is None:
                continue
            # Owned by the episode view and deleted when it closes (never by qtbot).
            if dialog.objectName() == "observation_dialog":
                dialog.ui.rr_edit.setText("8")  # type: ignore[attr-defined]
            QApplication.processEvents()
            found[dialog.objectName()] = internal_words(dialog)
            text = "\n".join(shown_texts(dialog))
            assert text.count("alcium gluconate") <= 1, "the antidote is listed twice"
            dialog.reject()
    assert {k: v for k, v in found.items() if v} == {}


def test_the_audit_window_shows_no_internal_references(context: Any, qtbot: QtBot) -> None:
    window = build_main_window(context)
    qtbot.addWidget(window)
    audit = window.open_audit()
    qtbot.addWidget(audit)
    QApplication.processEvents()
    assert internal_words(audit) == []
