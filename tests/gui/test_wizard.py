"""The new-episode wizard, driven through its widgets offscreen (pytest-qt, no sleeps).

Worked cases from the clinical reference (§9): WC-1 standard offer, WC-5 too quick, WC-4
23-week discussion, WC-11 myasthenia gravis, WC-8 nifedipine; and hypersensitivity
(decisions.md §5). Bad input shows its message next to the field and keeps Next disabled.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from harness.budget import InputCounter, drive_standard_case
from harness.demo import demo_context
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot

from mgso4.core.episode import Actor, EventType, Stage
from mgso4.core.flow import Step
from mgso4.core.monitoring import DueKind, due_items
from mgso4.core.vocab import (
    ConditionId,
    IdentifierType,
    MedicationId,
    Recommendation,
    Role,
    Situation,
)
from mgso4.gui.context import AppContext
from mgso4.gui.widgets.field_message import FieldMessage
from mgso4.gui.wizard import NewEpisodeWizard
from mgso4.gui.wizard.pages_decision import DecisionPage, NotGivenPage, SeniorPage
from mgso4.gui.wizard.pages_entry import GestationPage, PatientPage, SituationPage
from mgso4.gui.wizard.pages_infusion import LoadingPage, MaintenancePage
from mgso4.gui.wizard.pages_review import ReviewPage
from mgso4.gui.wizard.wizard import step_of
from mgso4.storage import DiskFullError

USER = Actor(name="Sam Taylor", role=Role.MIDWIFE)
VALID_NHS = "943 476 5919"  # reference §9: valid (Modulus 11); starts with 9, so synthetic
INVALID_NHS = "943 476 5918"  # reference §9: check digit wrong
REAL_LOOKING_NHS = "401 023 2137"  # valid Modulus 11, not in the synthetic 9 range
WINTER_NOON = datetime(2026, 1, 13, 12, 0, tzinfo=UTC)  # GMT: local time = UTC


class MovableClock:
    """A clock the test sets by hand (no sleeping)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_context(folder: Path, now: datetime = WINTER_NOON, **kwargs: object) -> AppContext:
    return demo_context(folder, clock=MovableClock(now), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def context(tmp_path: Path) -> Iterator[AppContext]:
    ctx = make_context(tmp_path, user=USER)
    yield ctx
    ctx.store.close()


def open_wizard(qtbot: QtBot, context: AppContext) -> NewEpisodeWizard:
    wizard = NewEpisodeWizard(context)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.activateWindow()
    qtbot.waitExposed(wizard)
    return wizard


@pytest.fixture
def wizard(qtbot: QtBot, context: AppContext) -> NewEpisodeWizard:
    return open_wizard(qtbot, context)


def current(wizard: NewEpisodeWizard) -> Step:
    step = step_of(wizard.currentId())
    assert step is not None
    return step


def next_enabled(wizard: NewEpisodeWizard) -> bool:
    which = (
        QWizard.WizardButton.CommitButton
        if wizard.currentPage().isCommitPage()
        else QWizard.WizardButton.NextButton
    )
    return wizard.button(which).isEnabled()


def press_next(wizard: NewEpisodeWizard, expected: Step) -> None:
    assert next_enabled(wizard), f"Next is disabled on {current(wizard).value}"
    wizard.next()
    QApplication.processEvents()
    assert current(wizard) is expected


def assert_message_next_to(field: QWidget, contains: str) -> FieldMessage:
    """The field's message is shown, says what is wrong, and sits right under the field."""
    messages = [
        m for m in field.window().findChildren(FieldMessage) if m.isVisible() and m._field is field
    ]
    assert messages, f"no message shown for {field.accessibleName()}"
    message = messages[0]
    assert contains in message.text(), message.text()
    assert message.kind == "error"
    window = field.window()
    field_bottom = field.mapTo(window, field.rect().bottomLeft()).y()
    message_top = message.mapTo(window, message.rect().topLeft()).y()
    assert 0 <= message_top - field_bottom <= 40, (field_bottom, message_top)
    return message


def fill_patient(wizard: NewEpisodeWizard, number: str = VALID_NHS) -> None:
    page = wizard.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    page.identifier_edit.setText(number)
    page.name_edit.setText("Jane Example")


def fill_gestation(wizard: NewEpisodeWizard, text: str) -> None:
    page = wizard.pages[Step.GESTATION]
    assert isinstance(page, GestationPage)
    page.weeks_days_edit.setText(text)


def fill_situation(
    wizard: NewEpisodeWizard,
    situation: Situation = Situation.ESTABLISHED_LABOUR,
    conditions: tuple[ConditionId, ...] = (),
    medications: tuple[MedicationId, ...] = (),
) -> None:
    page = wizard.pages[Step.SITUATION]
    assert isinstance(page, SituationPage)
    page.situation_buttons[situation].click()
    for condition in conditions:
        page.condition_boxes[condition].setChecked(True)
    for medication in medications:
        page.medication_boxes[medication].setChecked(True)


def to_decision(
    wizard: NewEpisodeWizard,
    gestation: str = "27+3",
    situation: Situation = Situation.ESTABLISHED_LABOUR,
    conditions: tuple[ConditionId, ...] = (),
    medications: tuple[MedicationId, ...] = (),
) -> DecisionPage:
    fill_patient(wizard)
    press_next(wizard, Step.GESTATION)
    fill_gestation(wizard, gestation)
    press_next(wizard, Step.SITUATION)
    fill_situation(wizard, situation, conditions, medications)
    press_next(wizard, Step.DECISION)
    page = wizard.pages[Step.DECISION]
    assert isinstance(page, DecisionPage)
    return page


def to_loading(wizard: NewEpisodeWizard) -> LoadingPage:
    decision = to_decision(wizard)
    decision.give_button.click()
    press_next(wizard, Step.LOADING)
    page = wizard.pages[Step.LOADING]
    assert isinstance(page, LoadingPage)
    return page


def save(wizard: NewEpisodeWizard) -> None:
    assert current(wizard) is Step.REVIEW
    press_next(wizard, Step.DONE)


# --------------------------------------------------------------------------- whole cases


def test_standard_case_by_keyboard_records_the_load_only_with_its_end_due_at_15_min(
    qtbot: QtBot, wizard: NewEpisodeWizard, context: AppContext
) -> None:
    # At the bedside the maintenance start (the end of the load) is still ahead: the wizard
    # records what has happened, and the ward board shows the end of the load as due.
    counter = InputCounter(qtbot)
    with qtbot.waitSignal(wizard.sig_episode_saved, timeout=2000) as saved:
        drive_standard_case(wizard, counter)
    episode_uuid = saved.args[0]
    state = context.store.episode(episode_uuid)
    course = state.courses[0]
    assert course.load is not None
    assert course.load.rate_ml_per_h == Decimal("80")
    assert course.load.volume_ml == Decimal("20")
    assert course.load.checked_by.name == "Chris Lee"
    assert course.load_started_at == WINTER_NOON
    assert course.load_finished_at is None
    assert course.maintenance is None and course.maintenance_started_at is None
    assert state.stage is Stage.LOADING
    assert state.assessment is not None
    assert state.assessment.recommendation is Recommendation.OFFER
    due = due_items(state, context.protocol, WINTER_NOON)
    load_end = [item for item in due if item.kind is DueKind.LOAD_END]
    assert [i.due_at for i in load_end] == [WINTER_NOON + timedelta(minutes=15)]
    assert not load_end[0].overdue


def test_no_saved_entry_is_after_the_time_it_was_saved(
    qtbot: QtBot, wizard: NewEpisodeWizard, context: AppContext
) -> None:
    drive_standard_case(wizard, InputCounter(qtbot))
    events = context.store.events(wizard.answers.episode_uuid)
    assert events
    assert all(event.occurred_at <= WINTER_NOON for event in events)


def test_retrospective_entry_records_the_load_end_and_maintenance_at_15_min(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    # Filled in after the load has run: loading started 30 min ago, so its planned end and the
    # maintenance start (the default, the end of the load) have both happened.
    decision = to_decision(wizard)
    decision.give_button.click()
    decision.decided_at.edit.setText("2026-01-13 11:25")
    press_next(wizard, Step.LOADING)
    loading = wizard.pages[Step.LOADING]
    assert isinstance(loading, LoadingPage)
    loading.started_at.edit.setText("2026-01-13 11:30")
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    maintenance = wizard.pages[Step.MAINTENANCE]
    assert isinstance(maintenance, MaintenancePage)
    assert maintenance.started_at.value() == datetime(2026, 1, 13, 11, 45, tzinfo=UTC)
    assert "Saving records maintenance as started" in maintenance.record_note.text()
    assert maintenance.checked_by.isVisible()
    press_next(wizard, Step.REVIEW)
    save(wizard)
    state = context.store.episode(wizard.answers.episode_uuid)
    course = state.courses[0]
    load_started_at = datetime(2026, 1, 13, 11, 30, tzinfo=UTC)
    assert course.load_started_at == load_started_at
    assert course.load_finished_at == load_started_at + timedelta(minutes=15)
    assert course.maintenance_started_at == load_started_at + timedelta(minutes=15)
    assert course.maintenance is not None
    assert course.maintenance.rate_ml_per_h == Decimal("5")
    assert course.rates[0].rate_g_per_h == Decimal("1")
    assert state.stage is Stage.MAINTENANCE


def test_standard_case_events_are_appended_in_one_transaction_in_order(
    wizard: NewEpisodeWizard, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[EventType]] = []
    original = context.store.append_many

    def spy(drafts, protocol):  # type: ignore[no-untyped-def]
        calls.append([d.type for d in drafts])
        return original(drafts, protocol)

    monkeypatch.setattr(context.store, "append_many", spy)
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)
    save(wizard)
    assert calls == [
        [
            EventType.EPISODE_CREATED,
            EventType.ASSESSED,
            EventType.DECISION,
            EventType.LOAD_STARTED,
        ]
    ]


def test_saving_tells_the_app_after_the_commit(
    qtbot: QtBot, wizard: NewEpisodeWizard, context: AppContext
) -> None:
    seen: list[list[str]] = []
    context.listeners.append(lambda: seen.append(context.store.episode_uuids()))
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)
    with qtbot.waitSignal(wizard.sig_episode_saved, timeout=2000) as signal:
        save(wizard)
    assert seen == [[signal.args[0]]]


def test_too_quick_case_is_saved_as_not_given_imminent_without_loading(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    decision = to_decision(wizard, gestation="26+2")
    assert wizard.answers.recommendation is Recommendation.OFFER
    decision.no_give_button.click()
    press_next(wizard, Step.NOT_GIVEN)
    page = wizard.pages[Step.NOT_GIVEN]
    assert isinstance(page, NotGivenPage)
    assert page.code() is None  # nothing is suggested for a team decision
    assert not next_enabled(wizard)
    page.reason_buttons["NG-IMMINENT"].click()
    press_next(wizard, Step.REVIEW)
    save(wizard)
    state = context.store.episode(wizard.answers.episode_uuid)
    assert state.not_given is not None and state.not_given.reason_code == "NG-IMMINENT"
    assert state.decision is not None and state.decision.give is False
    assert state.courses == ()
    types = [e.type for e in context.store.events(wizard.answers.episode_uuid)]
    assert EventType.LOAD_STARTED not in types
    assert EventType.MAINTENANCE_STARTED not in types


def test_discuss_at_23_plus_3_needs_a_named_senior(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    decision = to_decision(wizard, gestation="23+3")
    assert wizard.answers.recommendation is Recommendation.DISCUSS
    assert not decision.give_button.isVisible()  # the senior decides, on the next page
    press_next(wizard, Step.SENIOR)
    senior = wizard.pages[Step.SENIOR]
    assert isinstance(senior, SeniorPage)
    senior.give_button.click()
    assert not next_enabled(wizard)  # no senior named yet
    senior.senior.name_edit.setText("Dr Morgan Reid")
    assert next_enabled(wizard)
    press_next(wizard, Step.LOADING)
    loading = wizard.pages[Step.LOADING]
    assert isinstance(loading, LoadingPage)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)
    save(wizard)
    state = context.store.episode(wizard.answers.episode_uuid)
    assert state.decision is not None and state.decision.senior is not None
    assert state.decision.senior.name == "Dr Morgan Reid"
    assert state.decision.senior.role is Role.OBSTETRICIAN


def test_myasthenia_gravis_caution_needs_a_named_senior(wizard: NewEpisodeWizard) -> None:
    to_decision(wizard, gestation="27+0", conditions=(ConditionId.MYASTHENIA_GRAVIS,))
    assessment = wizard.answers.assessment
    assert assessment is not None
    assert assessment.recommendation is Recommendation.OFFER
    assert assessment.senior_decision_required
    press_next(wizard, Step.SENIOR)
    assert not next_enabled(wizard)
    senior = wizard.pages[Step.SENIOR]
    assert isinstance(senior, SeniorPage)
    assert "Myasthenia gravis" in senior.why.text()


def test_hypersensitivity_is_contraindicated_with_the_reason_preselected(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    decision = to_decision(wizard, conditions=(ConditionId.HYPERSENSITIVITY,))
    assert wizard.answers.recommendation is Recommendation.CONTRAINDICATED
    assert not decision.give_button.isVisible()
    press_next(wizard, Step.NOT_GIVEN)
    page = wizard.pages[Step.NOT_GIVEN]
    assert isinstance(page, NotGivenPage)
    assert page.code() == "NG-CONTRAINDICATION"
    assert "Hypersensitivity" in page.details.text()
    press_next(wizard, Step.REVIEW)
    save(wizard)
    state = context.store.episode(wizard.answers.episode_uuid)
    assert state.not_given is not None
    assert state.not_given.reason_code == "NG-CONTRAINDICATION"
    assert state.courses == ()


def test_not_indicated_records_the_assessment_only(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    to_decision(wizard, gestation="34+0")
    assert wizard.answers.recommendation is Recommendation.NOT_INDICATED
    press_next(wizard, Step.REVIEW)
    save(wizard)
    types = [e.type for e in context.store.events(wizard.answers.episode_uuid)]
    assert types == [EventType.EPISODE_CREATED, EventType.ASSESSED]


def test_interaction_warning_must_be_acknowledged_and_is_logged(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    decision = to_decision(wizard, gestation="27+0", medications=(MedicationId.NIFEDIPINE,))
    decision.give_button.click()
    assert not next_enabled(wizard)
    box = decision.ack_boxes[MedicationId.NIFEDIPINE.value]
    box.click()
    assert next_enabled(wizard)
    press_next(wizard, Step.LOADING)
    loading = wizard.pages[Step.LOADING]
    assert isinstance(loading, LoadingPage)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)
    save(wizard)
    state = context.store.episode(wizard.answers.episode_uuid)
    assert [a.medication for a in state.interactions_acknowledged] == [MedicationId.NIFEDIPINE]
    assert "hypotension" in state.interactions_acknowledged[0].warning


# --------------------------------------------------------------------------- bad input


def test_gestation_27_plus_9_is_refused_next_to_the_field(wizard: NewEpisodeWizard) -> None:
    fill_patient(wizard)
    press_next(wizard, Step.GESTATION)
    page = wizard.pages[Step.GESTATION]
    assert isinstance(page, GestationPage)
    page.weeks_days_edit.setText("27+9")
    message = assert_message_next_to(page.weeks_days_edit, "days must be 0 to 6")
    assert "28+2" in message.text()
    assert page.weeks_days_edit.text() == "27+9"  # kept as typed
    assert not next_enabled(wizard)


def test_invalid_nhs_number_is_refused_next_to_the_field(
    qtbot: QtBot, wizard: NewEpisodeWizard
) -> None:
    page = wizard.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    page.identifier_edit.setFocus()
    qtbot.keyClicks(page.identifier_edit, INVALID_NHS)
    page.name_edit.setText("Jane Example")
    assert_message_next_to(page.identifier_edit, "check digit is 8 but should be 9")
    assert page.identifier_edit.text() == INVALID_NHS
    assert not next_enabled(wizard)


def test_identifier_error_waits_until_the_number_could_be_complete(
    qtbot: QtBot, wizard: NewEpisodeWizard
) -> None:
    page = wizard.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    qtbot.keyClicks(page.identifier_edit, "943 47")
    assert not page.identifier_message.isVisible()
    page.identifier_edit.editingFinished.emit()
    assert page.identifier_message.isVisible()


def test_synthetic_number_warns_in_clinical_mode_but_is_accepted(
    wizard: NewEpisodeWizard,
) -> None:
    fill_patient(wizard, "999 000 0050")
    page = wizard.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    assert page.identifier_message.kind == "note"
    assert "synthetic test number" in page.identifier_message.text()
    assert next_enabled(wizard)


def test_training_mode_refuses_a_real_looking_number(qtbot: QtBot, tmp_path: Path) -> None:
    context = make_context(tmp_path, user=USER, training=True)
    wizard = open_wizard(qtbot, context)
    fill_patient(wizard, REAL_LOOKING_NHS)
    page = wizard.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    assert_message_next_to(page.identifier_edit, "Training mode accepts only synthetic")
    assert not next_enabled(wizard)
    fill_patient(wizard, "999 000 0050")
    assert next_enabled(wizard)
    context.store.close()


def test_loading_start_before_the_decision_is_refused(wizard: NewEpisodeWizard) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    assert next_enabled(wizard)
    loading.started_at.edit.setText("2026-01-13 11:55")
    assert_message_next_to(loading.started_at.edit, "is before the decision time")
    assert not next_enabled(wizard)
    loading.started_at.edit.setText("2026-01-13 12:00")
    assert next_enabled(wizard)


def test_a_loading_start_after_now_is_refused_as_not_happened_yet(
    wizard: NewEpisodeWizard,
) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    loading.started_at.edit.setText("2026-01-13 12:02")
    assert_message_next_to(loading.started_at.edit, "has not happened yet")
    assert not next_enabled(wizard)
    assert wizard.answers.load_started_at is None


def test_a_loading_start_of_now_is_accepted(wizard: NewEpisodeWizard) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    loading.started_at.edit.setText("2026-01-13 12:01")
    loading.started_at.edit.setText("2026-01-13 12:00")
    assert loading.started_at.value() == WINTER_NOON
    assert next_enabled(wizard)


def test_spring_gap_start_time_is_refused(qtbot: QtBot, tmp_path: Path) -> None:
    # 29 Mar 2026: London skips 01:00-02:00. Now is 02:30 BST (01:30 UTC).
    context = make_context(tmp_path, datetime(2026, 3, 29, 1, 30, tzinfo=UTC), user=USER)
    wizard = open_wizard(qtbot, context)
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    loading.started_at.edit.setText("2026-03-29 01:30")
    assert_message_next_to(loading.started_at.edit, "did not exist")
    assert not next_enabled(wizard)
    context.store.close()


def test_autumn_overlap_start_time_asks_bst_or_gmt(qtbot: QtBot, tmp_path: Path) -> None:
    # 25 Oct 2026: 01:00-02:00 happens twice. Now is 01:40 GMT (01:40 UTC), second time.
    now = datetime(2026, 10, 25, 1, 40, tzinfo=UTC)
    context = make_context(tmp_path, now, user=USER)
    wizard = open_wizard(qtbot, context)
    decision = to_decision(wizard)
    assert decision.decided_at.value() == now  # the default "now" keeps its reading (GMT)
    decision.give_button.click()
    press_next(wizard, Step.LOADING)
    loading = wizard.pages[Step.LOADING]
    assert isinstance(loading, LoadingPage)
    loading.checker.name_edit.setText("Chris Lee")
    context.clock.now = now + timedelta(minutes=10)  # type: ignore[attr-defined]
    loading.started_at.edit.setText("2026-10-25 01:45")
    assert loading.started_at.first_choice.isVisible()
    assert_message_next_to(loading.started_at.edit, "happened twice")
    assert not next_enabled(wizard)
    loading.started_at.first_choice.click()  # 01:45 BST = 00:45 UTC: before the decision
    assert_message_next_to(loading.started_at.edit, "before the decision time")
    assert not next_enabled(wizard)
    loading.started_at.second_choice.click()  # 01:45 GMT = 01:45 UTC
    assert loading.started_at.value() == datetime(2026, 10, 25, 1, 45, tzinfo=UTC)
    assert next_enabled(wizard)
    context.store.close()


def test_checker_who_is_the_user_is_refused(wizard: NewEpisodeWizard) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("  sam   TAYLOR ")
    assert_message_next_to(loading.checker.name_edit, "someone other than you")
    assert not next_enabled(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    assert next_enabled(wizard)


def test_disk_full_on_save_keeps_every_answer_and_can_retry(
    wizard: NewEpisodeWizard, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)
    original = context.store.append_many

    def disk_full(drafts, protocol):  # type: ignore[no-untyped-def]
        raise DiskFullError("The disk holding the record is full, so this entry was not saved.")

    monkeypatch.setattr(context.store, "append_many", disk_full)
    wizard.next()
    QApplication.processEvents()
    assert current(wizard) is Step.REVIEW
    review = wizard.pages[Step.REVIEW]
    assert isinstance(review, ReviewPage)
    assert review.error_box.isVisible()
    assert "disk holding the record is full" in review.error_text.text()
    assert not wizard.answers.saved
    assert context.store.episode_uuids() == []
    patient = wizard.pages[Step.PATIENT]
    assert isinstance(patient, PatientPage)
    assert patient.name_edit.text() == "Jane Example"
    assert loading.checker.name_edit.text() == "Chris Lee"

    monkeypatch.setattr(context.store, "append_many", original)
    press_next(wizard, Step.DONE)
    assert context.store.episode_uuids() == [wizard.answers.episode_uuid]


# --------------------------------------------------------------------------- navigation


def test_user_page_is_asked_only_when_nobody_is_signed_in(qtbot: QtBot, tmp_path: Path) -> None:
    context = make_context(tmp_path)
    wizard = open_wizard(qtbot, context)
    assert current(wizard) is Step.USER
    assert not next_enabled(wizard)
    wizard.pages[Step.USER].actor.name_edit.setText("Sam Taylor")  # type: ignore[attr-defined]
    press_next(wizard, Step.PATIENT)
    assert context.user == USER
    second = open_wizard(qtbot, context)
    assert current(second) is Step.PATIENT
    context.store.close()


def test_going_back_keeps_the_answers(wizard: NewEpisodeWizard) -> None:
    to_decision(wizard)
    wizard.back()
    wizard.back()
    assert current(wizard) is Step.GESTATION
    page = wizard.pages[Step.GESTATION]
    assert isinstance(page, GestationPage)
    assert page.weeks_days_edit.text() == "27+3"
    press_next(wizard, Step.SITUATION)
    press_next(wizard, Step.DECISION)


def test_changing_the_decision_to_not_give_takes_the_not_given_path(
    wizard: NewEpisodeWizard,
) -> None:
    to_loading(wizard)
    wizard.back()
    decision = wizard.pages[Step.DECISION]
    assert isinstance(decision, DecisionPage)
    decision.no_give_button.click()
    press_next(wizard, Step.NOT_GIVEN)


def test_maintenance_start_defaults_to_the_end_of_the_load(wizard: NewEpisodeWizard) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    page = wizard.pages[Step.MAINTENANCE]
    assert isinstance(page, MaintenancePage)
    assert page.started_at.value() == WINTER_NOON + timedelta(minutes=15)
    assert "Wed 14 Jan 2026 12:15 GMT" in page.stop_due.text()
    page.started_at.edit.setText("2026-01-13 11:59")
    assert_message_next_to(page.started_at.edit, "before the loading dose started")
    assert not next_enabled(wizard)


def test_a_maintenance_start_still_ahead_is_shown_as_the_plan_not_recorded(
    wizard: NewEpisodeWizard,
) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    page = wizard.pages[Step.MAINTENANCE]
    assert isinstance(page, MaintenancePage)
    assert not page.recorded()
    assert page.record_frame.isVisible()
    assert page.record_note.text().startswith("PLAN")
    assert (
        "Maintenance is not recorded yet: when the loading dose ends (due Tue 13 Jan 2026 "
        "12:15 GMT)" in page.record_note.text()
    )
    assert "if maintenance starts at the planned time" in page.stop_due.text()
    assert not page.checked_by.isVisible()  # nobody has checked a pump that is not set yet
    # The instructions are all there as the plan: rate, pump rate, container, stop rule.
    assert "1 g/h = pump rate 5 mL/h" in page.rate.text()
    assert "one lasts" in page.container.text()
    assert "24 h from" in page.stop_note.text()
    assert next_enabled(wizard)


def test_a_maintenance_start_after_now_and_after_the_planned_load_end_is_refused(
    wizard: NewEpisodeWizard,
) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    page = wizard.pages[Step.MAINTENANCE]
    assert isinstance(page, MaintenancePage)
    page.started_at.edit.setText("2026-01-13 12:16")
    assert_message_next_to(page.started_at.edit, "has not happened yet")
    assert not next_enabled(wizard)
    page.started_at.edit.setText("2026-01-13 12:15")
    assert next_enabled(wizard)


def test_review_says_maintenance_is_not_recorded_yet_and_when_the_load_ends(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)
    sections = dict(wizard.summary_sections())
    assert sections["Maintenance infusion"][-1] == (
        "Maintenance is not recorded yet: when the loading dose ends (due Tue 13 Jan 2026 "
        "12:15 GMT), use Start maintenance in the episode view (it records the end of the load "
        "too)."
    )
    assert not any(line.startswith("Started") for line in sections["Maintenance infusion"])
    assert sections["Saving records"][-1] == "Loading dose started: Tue 13 Jan 2026 12:00 GMT"
    review = wizard.pages[Step.REVIEW]
    shown = [label.text() for label in review.findChildren(QLabel) if label.isVisible()]
    assert any(text.startswith("Maintenance is not recorded yet") for text in shown)
    save(wizard)
    done = wizard.pages[Step.DONE]
    assert "Maintenance is not recorded yet" in done.next_steps.text()  # type: ignore[attr-defined]


def test_a_maintenance_start_that_has_passed_when_the_page_is_reached_is_recorded(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    # The midwife started at 12:00 and reached the maintenance page 20 minutes later.
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    context.clock.now = WINTER_NOON + timedelta(minutes=20)  # type: ignore[attr-defined]
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)
    sections = dict(wizard.summary_sections())
    assert "Started: Tue 13 Jan 2026 12:15 GMT" in sections["Maintenance infusion"]
    save(wizard)
    state = context.store.episode(wizard.answers.episode_uuid)
    assert state.courses[0].load_finished_at == WINTER_NOON + timedelta(minutes=15)
    assert state.courses[0].maintenance_started_at == WINTER_NOON + timedelta(minutes=15)
    assert state.stage is Stage.MAINTENANCE


def test_what_is_saved_is_what_the_review_showed_even_if_the_clock_passes_a_planned_time(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)  # at 12:00: maintenance (12:15) shown as not recorded
    context.clock.now = WINTER_NOON + timedelta(minutes=20)  # type: ignore[attr-defined]
    save(wizard)
    types = [event.type for event in context.store.events(wizard.answers.episode_uuid)]
    assert EventType.MAINTENANCE_STARTED not in types
    assert EventType.LOAD_FINISHED not in types


def test_loading_card_follows_the_preparation_chosen(wizard: NewEpisodeWizard) -> None:
    loading = to_loading(wizard)
    assert "80 mL/h" in loading.pump.text()
    index = loading.preparation_combo.findData("8pct-premixed")
    loading.preparation_combo.setCurrentIndex(index)
    assert "200 mL/h" in loading.pump.text()  # decisions.md §3: 4 g of 8% over 15 min
    assert "50 mL" in loading.dose.text()


# --------------------------------------------------------------------------- keyboard and a11y


def test_every_control_has_an_accessible_name(wizard: NewEpisodeWizard, tmp_path: Path) -> None:
    to_decision(wizard, medications=(MedicationId.NIFEDIPINE,))
    missing = [
        f"{page.objectName()}: {type(widget).__name__} {widget.objectName()}"
        for page in [*wizard.pages.values()]
        for widget in page.findChildren(QWidget)
        if isinstance(widget, (QAbstractButton, QLineEdit, QComboBox))
        and not widget.accessibleName()
    ]
    assert missing == []
    for which in (
        QWizard.WizardButton.BackButton,
        QWizard.WizardButton.NextButton,
        QWizard.WizardButton.CommitButton,
        QWizard.WizardButton.FinishButton,
        QWizard.WizardButton.CancelButton,
    ):
        assert wizard.button(which).accessibleName()


def test_tab_goes_from_the_number_to_the_name_to_the_date_of_birth(
    qtbot: QtBot, wizard: NewEpisodeWizard
) -> None:
    page = wizard.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    assert QApplication.focusWidget() is page.identifier_edit
    qtbot.keyClick(page.identifier_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.name_edit
    qtbot.keyClick(page.name_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.dob.edit


def test_enter_does_not_pick_a_situation_when_a_checkbox_has_the_focus(
    qtbot: QtBot, wizard: NewEpisodeWizard
) -> None:
    fill_patient(wizard)
    press_next(wizard, Step.GESTATION)
    fill_gestation(wizard, "27+3")
    press_next(wizard, Step.SITUATION)
    page = wizard.pages[Step.SITUATION]
    assert isinstance(page, SituationPage)
    box = page.condition_boxes[ConditionId.RENAL_IMPAIRMENT]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert current(wizard) is Step.SITUATION
    assert page.situation() is None
    qtbot.keyClick(box, Qt.Key.Key_Space)
    assert box.isChecked()


def test_optional_maintenance_can_be_skipped_under_sogc(qtbot: QtBot, tmp_path: Path) -> None:
    context = make_context(tmp_path, user=USER, protocol_id="sogc-2019")
    wizard = open_wizard(qtbot, context)
    to_decision(wizard)
    press_next(wizard, Step.SENIOR)  # SOGC "consider": a senior decides
    senior = wizard.pages[Step.SENIOR]
    assert isinstance(senior, SeniorPage)
    senior.senior.name_edit.setText("Dr Morgan Reid")
    senior.give_button.click()
    press_next(wizard, Step.LOADING)
    loading = wizard.pages[Step.LOADING]
    assert isinstance(loading, LoadingPage)
    assert loading.skip_maintenance.isVisible()
    loading.checker.name_edit.setText("Chris Lee")
    loading.skip_maintenance.click()
    press_next(wizard, Step.REVIEW)
    save(wizard)
    state = context.store.episode(wizard.answers.episode_uuid)
    assert state.courses[0].load is not None
    assert state.courses[0].maintenance is None
    context.store.close()


def test_maintenance_cannot_be_skipped_under_the_uk_protocol(wizard: NewEpisodeWizard) -> None:
    loading = to_loading(wizard)
    assert not loading.skip_maintenance.isVisible()
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)


def test_escape_with_answers_asks_before_discarding(
    qtbot: QtBot, wizard: NewEpisodeWizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def answer(choice: QMessageBox.StandardButton):  # type: ignore[no-untyped-def]
        def question(*args: object, **kwargs: object) -> QMessageBox.StandardButton:
            asked.append(str(args[1]))
            return choice

        return question

    fill_patient(wizard)
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Cancel))
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert asked == ["Discard this new episode?"]
    assert wizard.isVisible()
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Discard))
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert not wizard.isVisible()


def test_escape_before_anything_is_typed_closes_without_asking(
    qtbot: QtBot, wizard: NewEpisodeWizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("asked")

    monkeypatch.setattr(QMessageBox, "question", refuse)
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)
    assert not wizard.isVisible()


def test_tab_on_the_decision_page_goes_from_the_warning_to_the_choice_to_the_time(
    qtbot: QtBot, wizard: NewEpisodeWizard
) -> None:
    decision = to_decision(wizard, gestation="27+0", medications=(MedicationId.NIFEDIPINE,))
    box = decision.ack_boxes[MedicationId.NIFEDIPINE.value]
    assert QApplication.focusWidget() is box
    qtbot.keyClick(box, Qt.Key.Key_Space)
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is decision.give_button
    qtbot.keyClick(decision.give_button, Qt.Key.Key_Space)
    qtbot.keyClick(decision.give_button, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is decision.decided_at.edit


def test_saved_page_says_a_not_given_episode_is_closed(wizard: NewEpisodeWizard) -> None:
    decision = to_decision(wizard, gestation="26+2")
    decision.no_give_button.click()
    press_next(wizard, Step.NOT_GIVEN)
    wizard.pages[Step.NOT_GIVEN].reason_buttons["NG-DECLINED"].click()  # type: ignore[attr-defined]
    press_next(wizard, Step.REVIEW)
    save(wizard)
    done = wizard.pages[Step.DONE]
    assert "closed" in done.saved_label.text()  # type: ignore[attr-defined]
    assert "not given: Woman declined" in done.next_steps.text()  # type: ignore[attr-defined]
    assert "NG-" not in done.next_steps.text()  # type: ignore[attr-defined]


def _tab_walk(qtbot: QtBot, page: QWidget) -> list[QWidget]:
    """Press Tab from the page's first control until the focus leaves the page."""
    visited: list[QWidget] = []
    widget = QApplication.focusWidget()
    while widget is not None and page.isAncestorOf(widget) and widget not in visited:
        visited.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
    return visited


def _top_left(widget: QWidget) -> tuple[int, int]:
    point = widget.mapTo(widget.window(), widget.rect().topLeft())
    return point.y(), point.x()


@pytest.mark.parametrize("step", [Step.PATIENT, Step.GESTATION, Step.LOADING, Step.SENIOR])
def test_tab_order_follows_the_page_top_to_bottom(
    qtbot: QtBot, wizard: NewEpisodeWizard, step: Step
) -> None:
    if step is Step.SENIOR:
        to_decision(wizard, gestation="23+3")
        press_next(wizard, Step.SENIOR)
    elif step is Step.LOADING:
        to_loading(wizard)
    elif step is Step.GESTATION:
        fill_patient(wizard)
        press_next(wizard, Step.GESTATION)
    page = wizard.pages[step]
    first = min(
        (
            w
            for w in page.findChildren(QWidget)
            if w.isVisible()
            and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and isinstance(w, (QLineEdit, QComboBox, QAbstractButton))
        ),
        key=_top_left,
    )
    first.setFocus()
    visited = _tab_walk(qtbot, page)
    assert len(visited) >= 2
    rows = [_top_left(w)[0] for w in visited]
    assert rows == sorted(rows), [w.accessibleName() for w in visited]


def test_senior_page_is_not_prefilled_with_the_teams_earlier_choice(
    wizard: NewEpisodeWizard,
) -> None:
    decision = to_decision(wizard)  # 27+3: offer, the team chooses
    decision.give_button.click()
    wizard.back()
    wizard.back()
    fill_gestation(wizard, "31+0")  # consider: a senior decides
    press_next(wizard, Step.SITUATION)
    press_next(wizard, Step.DECISION)
    press_next(wizard, Step.SENIOR)
    senior = wizard.pages[Step.SENIOR]
    assert isinstance(senior, SeniorPage)
    senior.senior.name_edit.setText("Dr Morgan Reid")
    assert not senior.give_button.isChecked() and not senior.no_give_button.isChecked()
    assert wizard.answers.give is None
    assert not next_enabled(wizard)


def test_a_screen_that_fails_to_refresh_does_not_undo_saved(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    def broken() -> None:
        raise RuntimeError("board broke")

    context.listeners.append(broken)
    loading = to_loading(wizard)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)
    save(wizard)
    assert wizard.answers.saved


def _to_situation(wizard: NewEpisodeWizard) -> SituationPage:
    fill_patient(wizard)
    press_next(wizard, Step.GESTATION)
    fill_gestation(wizard, "27+3")
    press_next(wizard, Step.SITUATION)
    page = wizard.pages[Step.SITUATION]
    assert isinstance(page, SituationPage)
    return page


def test_enter_on_the_focused_situation_picks_it_and_goes_on(
    qtbot: QtBot, wizard: NewEpisodeWizard
) -> None:
    page = _to_situation(wizard)
    focused = QApplication.focusWidget()
    assert focused is page.situation_buttons[Situation.ESTABLISHED_LABOUR]
    qtbot.keyClick(focused, Qt.Key.Key_Down)  # arrows move between the choices
    focused = QApplication.focusWidget()
    assert focused is page.situation_buttons[Situation.PLANNED_BIRTH_WITHIN_24H]
    qtbot.keyClick(focused, Qt.Key.Key_Return)
    assert current(wizard) is Step.DECISION
    assert wizard.answers.situation is Situation.PLANNED_BIRTH_WITHIN_24H


def test_a_held_down_enter_never_picks_a_situation(wizard: NewEpisodeWizard) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    page = _to_situation(wizard)
    focused = QApplication.focusWidget()
    held = QKeyEvent(
        QEvent.Type.KeyPress,
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.NoModifier,
        "\r",
        True,  # auto-repeat
    )
    QApplication.sendEvent(focused, held)
    QApplication.processEvents()
    assert page.situation() is None
    assert current(wizard) is Step.SITUATION


def test_a_decision_time_after_now_is_refused_as_not_happened_yet(
    wizard: NewEpisodeWizard,
) -> None:
    decision = to_decision(wizard)
    decision.give_button.click()
    decision.decided_at.edit.setText("2026-01-13 12:02")
    assert_message_next_to(decision.decided_at.edit, "has not happened yet")
    assert not next_enabled(wizard)
    decision.decided_at.edit.setText("2026-01-13 12:00")
    assert next_enabled(wizard)


def test_gestation_from_an_agreed_edd_is_shown_for_today(wizard: NewEpisodeWizard) -> None:
    fill_patient(wizard)
    press_next(wizard, Step.GESTATION)
    page = wizard.pages[Step.GESTATION]
    assert isinstance(page, GestationPage)
    page.edd.edit.setText("2026-04-11")
    page.edd.edit.textEdited.emit("2026-04-11")  # as typing does: picks the EDD method
    # EDD 2026-04-11 -> LMP-equivalent 2025-07-05 -> 192 days on 2026-01-13 = 27+3.
    assert page.result.text().startswith("27+3 today")
    assert wizard.answers.dating is not None
    assert wizard.answers.dating.edd is not None
    press_next(wizard, Step.SITUATION)


def test_an_lmp_giving_more_than_44_weeks_is_refused_next_to_the_field(
    wizard: NewEpisodeWizard,
) -> None:
    fill_patient(wizard)
    press_next(wizard, Step.GESTATION)
    page = wizard.pages[Step.GESTATION]
    assert isinstance(page, GestationPage)
    page.lmp.edit.setText("2025-01-01")
    page.lmp.edit.textEdited.emit("2025-01-01")
    assert_message_next_to(page.lmp.edit, "beyond 44+6")
    assert not next_enabled(wizard)


def test_the_units_default_preparation_is_preselected(qtbot: QtBot, tmp_path: Path) -> None:
    from mgso4.settings import Settings

    context = make_context(tmp_path, user=USER)
    context.settings = Settings(default_preparation="20pct-load-10pct-maint")
    wizard = open_wizard(qtbot, context)
    loading = to_loading(wizard)
    assert loading.preparation_combo.currentData() == "20pct-load-10pct-maint"
    assert loading.warnings_frame.isVisible()  # two concentrations in one episode
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    page = wizard.pages[Step.MAINTENANCE]
    assert isinstance(page, MaintenancePage)
    assert "pump rate 10 mL/h" in page.rate.text()  # decisions.md §3: 10% at 1 g/h
    context.store.close()


def test_chi_number_is_checked_as_chi(wizard: NewEpisodeWizard) -> None:
    page = wizard.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    page.type_buttons[IdentifierType.CHI].click()
    fill_patient(wizard, "0101011237")  # reference §9: valid CHI
    assert next_enabled(wizard)
    assert "CHI number 010 101 1237" in page.identifier_readback.text()  # 3-3-4 (issue 12)
    fill_patient(wizard, "3202011230")  # 32 Feb is not a date of birth
    assert_message_next_to(page.identifier_edit, "not a real date")
    assert not next_enabled(wizard)


def test_next_is_disabled_until_the_patient_is_named(wizard: NewEpisodeWizard) -> None:
    page = wizard.pages[Step.PATIENT]
    assert isinstance(page, PatientPage)
    page.identifier_edit.setText(VALID_NHS)
    assert not next_enabled(wizard)
    page.name_edit.setText("Jane Example")
    assert next_enabled(wizard)


def test_each_demo_patient_has_its_own_valid_synthetic_nhs_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The wizard's screenshot cases (tools/screenshots) and the input-budget case.
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "tools" / "screenshots"))
    from harness.budget import STANDARD_NHS_NUMBER
    from wizard_pages import DEMO_NHS_NUMBER, SECOND_DEMO_NHS_NUMBER

    from mgso4.core.identifiers import check_identifier

    numbers = [DEMO_NHS_NUMBER, SECOND_DEMO_NHS_NUMBER, STANDARD_NHS_NUMBER]
    checks = [check_identifier(number, IdentifierType.NHS) for number in numbers]
    assert all(check.valid and check.synthetic for check in checks)
    assert len({check.normalised for check in checks}) == len(numbers)


def test_decision_page_says_the_app_supports_and_does_not_make_the_decision(
    wizard: NewEpisodeWizard,
) -> None:
    page = to_decision(wizard)

    assert page.support_notice.isVisible()
    assert "Decision support only" in page.support_notice.text()
    assert "prescription is the authority" in page.support_notice.text()


def test_twins_expected_are_asked_assessed_and_saved_with_the_episode(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    """Decisions.md §13: the wizard asks how many babies are expected (1 to 8)."""
    fill_patient(wizard)
    press_next(wizard, Step.GESTATION)
    fill_gestation(wizard, "27+3")
    press_next(wizard, Step.SITUATION)
    fill_situation(wizard)
    page = wizard.pages[Step.SITUATION]
    assert isinstance(page, SituationPage)
    assert (page.babies_spin.minimum(), page.babies_spin.maximum()) == (1, 8)
    assert page.babies_spin.value() == 1
    page.babies_spin.setValue(2)
    press_next(wizard, Step.DECISION)
    assert wizard.answers.plurality == 2
    assert wizard.answers.assessment_inputs is not None
    assert wizard.answers.assessment_inputs.plurality == 2
    assert "Babies expected: 2" in [
        line for _title, lines in wizard.summary_sections() for line in lines
    ]


def test_a_seniors_do_not_give_preselects_the_senior_decision_and_never_offers_unknown(
    wizard: NewEpisodeWizard,
) -> None:
    """Issue 14, defect 11: "Not recorded (UNKNOWN)" is for the audit's back-filling only."""
    to_decision(wizard, gestation="23+3")
    press_next(wizard, Step.SENIOR)
    senior = wizard.pages[Step.SENIOR]
    assert isinstance(senior, SeniorPage)
    senior.no_give_button.click()
    senior.senior.name_edit.setText("Dr Morgan Reid")
    press_next(wizard, Step.NOT_GIVEN)
    page = wizard.pages[Step.NOT_GIVEN]
    assert isinstance(page, NotGivenPage)
    assert "UNKNOWN" not in page.reason_buttons
    assert page.code() == "NG-SENIOR-DECISION"


def test_the_senior_page_offers_the_units_senior_roles_and_refuses_initials(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    """Issue 14, defect 10: at 23+4 the senior page accepted "x" as a "Student"."""
    to_decision(wizard, gestation="23+3")
    press_next(wizard, Step.SENIOR)
    senior = wizard.pages[Step.SENIOR]
    assert isinstance(senior, SeniorPage)
    combo = senior.senior.role_combo
    offered = {Role(combo.itemData(i)) for i in range(combo.count())}
    assert offered == set(context.protocol.senior_roles)
    senior.give_button.click()
    senior.senior.name_edit.setText("x")
    assert not next_enabled(wizard)
    assert "more than initials" in senior.senior.message.message
    senior.senior.name_edit.setText("Dr Morgan Reid")
    assert next_enabled(wizard)


def test_severe_pre_eclampsia_needs_a_named_senior_and_the_stop_plan_and_is_saved(
    wizard: NewEpisodeWizard, context: AppContext
) -> None:
    """Decisions.md §4: severe pre-eclampsia or eclampsia is its own indication, recorded by a
    named senior with the team's stop plan."""
    decision = to_decision(wizard)
    assert decision.give_button.isVisible()
    decision.severe_box.setChecked(True)
    assert not decision.give_button.isVisible()  # the senior decides, on the next page
    assert decision.stop_plan_edit.isVisible()
    assert not next_enabled(wizard)  # no stop plan yet
    decision.eclampsia_box.setChecked(True)
    decision.stop_plan_edit.setText("Continue 24 h after the birth, then review")
    assert next_enabled(wizard)
    press_next(wizard, Step.SENIOR)
    senior = wizard.pages[Step.SENIOR]
    assert isinstance(senior, SeniorPage)
    senior.give_button.click()
    senior.senior.name_edit.setText("Dr Morgan Reid")
    press_next(wizard, Step.LOADING)
    loading = wizard.pages[Step.LOADING]
    assert isinstance(loading, LoadingPage)
    loading.checker.name_edit.setText("Chris Lee")
    press_next(wizard, Step.MAINTENANCE)
    press_next(wizard, Step.REVIEW)
    lines = [line for _title, lines in wizard.summary_sections() for line in lines]
    assert (
        "Also given for eclampsia; the team's stop plan: "
        "Continue 24 h after the birth, then review" in lines
    )
    save(wizard)
    state = context.store.episode(wizard.answers.episode_uuid)
    assert state.decision is not None and state.decision.senior is not None
    plan = state.decision.severe_pre_eclampsia
    assert plan is not None
    assert plan.eclampsia
    assert plan.stop_plan == "Continue 24 h after the birth, then review"
