"""Toxicity findings and the due schedule (decisions.md §7; reference §1.4, §6.2, §6.3, §9).

Thresholds come from the shipped UK default protocol (uk-nice-ng25): RR < 12/min or a fall
> 4/min from baseline; reflexes absent; urine < 100 mL in 4 h; diastolic fall > 15 mmHg;
SpO2 < 94%. Each boundary is tested on both sides, exactly as worded ("< 12": 12 is fine).
Schedules are built from real sealed events and folded, as the store would.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from mgso4.core.episode import (
    GENESIS_HASH,
    Actor,
    AlertAcknowledged,
    Assessed,
    Birth,
    Dating,
    EpisodeCreated,
    EpisodeState,
    Event,
    EventDraft,
    EventType,
    InfusionStopped,
    LoadFinished,
    LoadStarted,
    MaintenanceStarted,
    Observation,
    Patient,
    ProtocolRef,
    Reflexes,
    StopReason,
    fold,
    seal,
)
from mgso4.core.gestation import DatingMethod
from mgso4.core.monitoring import (
    NICE_OLIGURIA_RULE,
    DueItem,
    DueKind,
    Finding,
    RequiredObservation,
    cumulative_exposure,
    due_items,
    evaluate,
    missing_required,
    missing_required_finding,
    next_due,
)
from mgso4.core.protocol import Protocol, ProtocolLibrary, Provenance
from mgso4.core.timeutil import LONDON, parse_local_datetime, to_local
from mgso4.core.vocab import Band, ConditionId, IdentifierType, Recommendation, Role, Situation
from mgso4.resources import resource_path

LIBRARY = ProtocolLibrary(resource_path("protocols"))
NICE = LIBRARY.load("uk-nice-ng25")
SOGC = LIBRARY.load("sogc-2019")

MIDWIFE = Actor(name="Alex Midwife", role=Role.MIDWIFE)
CHECKER = Actor(name="Sam Checker", role=Role.MIDWIFE)
MINUTE = timedelta(minutes=1)
SECOND = timedelta(seconds=1)

#: A complete NICE 1.10.5 set with nothing abnormal.
NORMAL = Observation(
    pulse_per_min=88,
    systolic_mmhg=120,
    diastolic_mmhg=75,
    rr_per_min=16,
    reflexes=Reflexes.PRESENT,
)


def utc(text: str) -> datetime:
    """An ISO UTC instant, e.g. "2025-01-10 10:00"."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, fold: int | None = None) -> datetime:
    """A London wall time as the UTC instant it means."""
    return parse_local_datetime(text, LONDON, fold=fold)


def with_monitoring(protocol: Protocol, **changes: Any) -> Protocol:
    """A copy of the protocol with some monitoring settings changed."""
    monitoring = protocol.monitoring.model_copy(update=changes)
    return protocol.model_copy(update={"monitoring": monitoring})


def with_maintenance(protocol: Protocol, **changes: Any) -> Protocol:
    """A copy of the protocol with some maintenance settings changed."""
    maintenance = protocol.maintenance.model_copy(update=changes)
    return protocol.model_copy(update={"maintenance": maintenance})


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


# --------------------------------------------------------------------------- episode builder


class Episode:
    """Builds one episode's chain of sealed events, as the store would, and folds it."""

    def __init__(self, protocol: Protocol = NICE, created_at: datetime | None = None) -> None:
        self.protocol = protocol
        self.uuid = "episode-1"
        self.events: list[Event] = []
        self.add(
            EventType.EPISODE_CREATED,
            EpisodeCreated(
                patient=Patient(
                    id_type=IdentifierType.NHS, identifier="9434765919", name="Test Patient"
                ),
                dating=Dating(method=DatingMethod.AGREED_EDD, edd=date(2026, 6, 1)),
                preparation_id="20pct-ready",
                training=True,
            ),
            created_at or utc("2020-01-01 00:00"),
        )

    def add(self, event_type: EventType, payload: BaseModel, at: datetime) -> Episode:
        draft = EventDraft.make(
            event_type, payload, episode_uuid=self.uuid, occurred_at=at, recorded_by=MIDWIFE
        )
        event = seal(
            draft,
            seq=len(self.events) + 1,
            prev_hash=self.events[-1].hash if self.events else GENESIS_HASH,
            recorded_at=at,
            workstation_id="ws-test",
            app_version="test",
            protocol=ProtocolRef(
                id=self.protocol.id, version=self.protocol.version, sha256=self.protocol.sha256
            ),
        )
        self.events.append(event)
        return self

    def load(self, at: datetime, course: int = 1, duration_min: str = "15") -> Episode:
        return self.add(
            EventType.LOAD_STARTED,
            LoadStarted(
                course_number=course,
                preparation_id="20pct-ready",
                dose_g=Decimal(4),
                concentration_g_per_ml=Decimal("0.2"),
                volume_ml=Decimal(20),
                rate_ml_per_h=Decimal(80),
                duration_min=Decimal(duration_min),
                given_by=MIDWIFE,
                checked_by=CHECKER,
            ),
            at,
        )

    def load_finished(self, at: datetime, course: int = 1) -> Episode:
        return self.add(EventType.LOAD_FINISHED, LoadFinished(course_number=course), at)

    def maintenance(self, at: datetime, course: int = 1) -> Episode:
        return self.add(
            EventType.MAINTENANCE_STARTED,
            MaintenanceStarted(
                course_number=course,
                preparation_id="20pct-ready",
                concentration_g_per_ml=Decimal("0.2"),
                rate_ml_per_h=Decimal(5),
                container_volume_ml=Decimal(50),
                given_by=MIDWIFE,
                checked_by=CHECKER,
            ),
            at,
        )

    def standard(self, load_at: datetime) -> Episode:
        """Load over 15 min, then maintenance from the end of the load (WC-12 shape)."""
        end = load_at + timedelta(minutes=15)
        return self.load(load_at).load_finished(end).maintenance(end)

    def stop(self, at: datetime, course: int = 1) -> Episode:
        return self.add(
            EventType.INFUSION_STOPPED,
            InfusionStopped(course_number=course, reason=StopReason.NO_LONGER_IMMINENT),
            at,
        )

    def observe(self, at: datetime, observation: Observation = NORMAL) -> Episode:
        return self.add(EventType.OBSERVATION, observation, at)

    def acknowledge(self, key: str, at: datetime) -> Episode:
        return self.add(EventType.ALERT_ACKNOWLEDGED, AlertAcknowledged(key=key), at)

    def birth(self, at: datetime) -> Episode:
        return self.add(EventType.BIRTH, Birth(baby=1), at)

    def assessed(self, at: datetime, conditions: tuple[ConditionId, ...] = ()) -> Episode:
        return self.add(
            EventType.ASSESSED,
            Assessed(
                gestation_days=27 * 7 + 3,
                situation=Situation.PLANNED_BIRTH_WITHIN_24H,
                conditions=conditions,
                band=Band.OFFER,
                recommendation=Recommendation.OFFER,
                senior_decision_required=False,
            ),
            at,
        )

    def state(self) -> EpisodeState:
        return fold(self.events)


def by_kind(items: list[DueItem], kind: DueKind) -> DueItem:
    matches = [item for item in items if item.kind is kind]
    assert len(matches) == 1, f"expected one {kind} item, got {items}"
    return matches[0]


def kinds(items: list[DueItem]) -> set[DueKind]:
    return {item.kind for item in items}


# --------------------------------------------------------------------------- worked cases


def test_wc9_rr_10_and_absent_reflexes_give_two_stop_findings_with_the_antidote() -> None:
    findings = evaluate(Observation(rr_per_min=10, reflexes=Reflexes.ABSENT), NICE)

    assert codes(findings) == ["rr-low", "reflexes-absent"]
    assert {f.severity for f in findings} == {"stop"}
    for finding in findings:
        assert any("calcium gluconate 10% 10 mL" in action for action in finding.actions)
        assert set(NICE.monitoring.actions) <= set(finding.actions)
        assert finding.actions[-1] == f"Antidote: {NICE.monitoring.antidote}"


def test_wc9_findings_name_the_measured_value_threshold_and_local_sources() -> None:
    rr_low, reflexes = evaluate(Observation(rr_per_min=10, reflexes=Reflexes.ABSENT), NICE)

    assert rr_low.message == "Respiratory rate 10/min is below 12/min."
    assert rr_low.source == "[T1][T2]"
    assert rr_low.local_setting is True
    assert reflexes.message == "Patellar reflexes are absent."
    assert reflexes.source == "[T1][T2]"
    assert reflexes.local_setting is True


def test_wc10_urine_80_ml_over_4_h_is_a_stop_finding_citing_nice_oliguria() -> None:
    findings = evaluate(Observation(urine_ml=80, urine_period_h=Decimal(4)), NICE)

    assert codes(findings) == ["urine-low"]
    (urine,) = findings
    assert urine.severity == "stop"
    assert urine.message == "Urine output 80 mL in 4 h is below 100 mL in 4 h: oliguria."
    assert urine.actions[0] == NICE_OLIGURIA_RULE
    assert "reduce or stop" in urine.actions[0]
    assert "[N1] 1.10.6" in urine.source
    assert "Check serum magnesium." in urine.actions


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("observation", "expected"),
    [
        pytest.param(Observation(rr_per_min=12), [], id="rr-12-ok"),
        pytest.param(Observation(rr_per_min=11), ["rr-low"], id="rr-11-stops"),
        pytest.param(Observation(rr_per_min=16, baseline_rr_per_min=20), [], id="rr-fall-4-ok"),
        pytest.param(
            Observation(rr_per_min=15, baseline_rr_per_min=20), ["rr-fall"], id="rr-fall-5-stops"
        ),
        pytest.param(Observation(urine_ml=100, urine_period_h=Decimal(4)), [], id="urine-100-ok"),
        pytest.param(
            Observation(urine_ml=99, urine_period_h=Decimal(4)), ["urine-low"], id="urine-99-stops"
        ),
        pytest.param(
            Observation(urine_ml=50, urine_period_h=Decimal(2)), [], id="urine-50-in-2h-ok"
        ),
        pytest.param(
            Observation(urine_ml=49, urine_period_h=Decimal(2)),
            ["urine-low"],
            id="urine-49-in-2h-stops",
        ),
        pytest.param(
            Observation(diastolic_mmhg=65, baseline_diastolic_mmhg=80), [], id="dia-fall-15-ok"
        ),
        pytest.param(
            Observation(diastolic_mmhg=64, baseline_diastolic_mmhg=80),
            ["diastolic-fall"],
            id="dia-fall-16-stops",
        ),
        pytest.param(Observation(spo2_percent=94), [], id="spo2-94-ok"),
        pytest.param(Observation(spo2_percent=93), ["spo2-low"], id="spo2-93-stops"),
        pytest.param(Observation(reflexes=Reflexes.PRESENT), [], id="reflexes-present-ok"),
        pytest.param(
            Observation(reflexes=Reflexes.ABSENT), ["reflexes-absent"], id="reflexes-absent-stops"
        ),
    ],
)
def test_each_stop_trigger_fires_only_past_its_worded_boundary(
    observation: Observation, expected: list[str]
) -> None:
    findings = evaluate(observation, NICE)

    assert codes(findings) == expected
    assert all(f.severity == "stop" for f in findings)


def test_rr_fall_message_gives_the_fall_the_baseline_and_the_threshold() -> None:
    (finding,) = evaluate(Observation(rr_per_min=15, baseline_rr_per_min=20), NICE)

    assert finding.message == (
        "Respiratory rate 15/min is 5/min below the baseline 20/min: a fall of more than 4/min."
    )
    assert finding.source == "[T1]"


def test_rr_below_minimum_and_falling_from_baseline_are_two_findings() -> None:
    findings = evaluate(Observation(rr_per_min=10, baseline_rr_per_min=18), NICE)

    assert codes(findings) == ["rr-low", "rr-fall"]


def test_diastolic_fall_message_gives_values_in_mmhg() -> None:
    (finding,) = evaluate(Observation(diastolic_mmhg=64, baseline_diastolic_mmhg=80), NICE)

    assert finding.message == (
        "Diastolic blood pressure 64 mmHg is 16 mmHg below the baseline 80 mmHg: "
        "a fall of more than 15 mmHg."
    )


def test_spo2_message_gives_values_in_percent() -> None:
    (finding,) = evaluate(Observation(spo2_percent=90), NICE)

    assert finding.message == "SpO2 90% is below 94%."
    assert finding.source == "[T5]"


def test_urine_over_another_period_is_scaled_to_4_hours_in_the_message() -> None:
    (finding,) = evaluate(Observation(urine_ml=20, urine_period_h=Decimal(1)), NICE)

    assert finding.message == (
        "Urine output 20 mL in 1 h (80 mL in 4 h) is below 100 mL in 4 h: oliguria."
    )


def test_urine_scaled_to_a_fraction_is_shown_rounded_and_marked_about() -> None:
    (finding,) = evaluate(Observation(urine_ml=74, urine_period_h=Decimal(3)), NICE)

    assert "(about 98.7 mL in 4 h)" in finding.message


def test_urine_without_its_period_is_not_judged_and_says_why() -> None:
    (finding,) = evaluate(Observation(urine_ml=30), NICE)

    assert finding.code == "urine-period-missing"
    assert finding.severity == "info"
    assert "without the hours it covers" in finding.message


def test_reduced_reflexes_are_a_warning_not_a_stop() -> None:
    (finding,) = evaluate(Observation(reflexes=Reflexes.REDUCED), NICE)

    assert finding.code == "reflexes-reduced"
    assert finding.severity == "warning"
    assert finding.actions == ()


def test_absent_reflexes_are_a_warning_when_the_protocol_does_not_stop_for_them() -> None:
    protocol = with_monitoring(NICE, reflexes_absent_stop=False)

    (finding,) = evaluate(Observation(reflexes=Reflexes.ABSENT), protocol)

    assert finding.code == "reflexes-absent"
    assert finding.severity == "warning"


def test_missing_values_and_baselines_alone_produce_no_findings() -> None:
    observation = Observation(baseline_rr_per_min=20, baseline_diastolic_mmhg=80)

    assert evaluate(observation, NICE) == []


def test_a_normal_full_set_produces_no_findings() -> None:
    assert evaluate(NORMAL, NICE) == []


def test_thresholds_come_from_the_protocol_not_the_code() -> None:
    rule = NICE.monitoring.rr_min_per_min.model_copy(update={"value": Decimal(14)})
    protocol = with_monitoring(NICE, rr_min_per_min=rule)

    (finding,) = evaluate(Observation(rr_per_min=13), protocol)

    assert finding.message == "Respiratory rate 13/min is below 14/min."


def test_a_verified_threshold_is_not_marked_as_a_local_setting() -> None:
    rule = NICE.monitoring.spo2_min_percent.model_copy(update={"status": Provenance.VERIFIED})
    protocol = with_monitoring(NICE, spo2_min_percent=rule)

    (finding,) = evaluate(Observation(spo2_percent=90), protocol)

    assert finding.local_setting is False


def test_finding_is_frozen_and_lists_actions_as_text() -> None:
    (finding,) = evaluate(Observation(spo2_percent=90), NICE)

    with pytest.raises(ValidationError):
        finding.code = "changed"  # type: ignore[misc]
    assert finding.action_text.splitlines()[0] == NICE.monitoring.actions[0]


def test_missing_required_names_the_nice_set_not_recorded() -> None:
    observation = Observation(pulse_per_min=90, systolic_mmhg=120, urine_ml=100)

    assert missing_required(observation) == [
        RequiredObservation.BLOOD_PRESSURE,
        RequiredObservation.RESPIRATORY_RATE,
        RequiredObservation.REFLEXES,
    ]


def test_missing_required_is_empty_for_a_full_set() -> None:
    assert missing_required(NORMAL) == []
    assert missing_required_finding(NORMAL) is None


def test_missing_required_finding_is_a_warning_citing_nice() -> None:
    finding = missing_required_finding(Observation(rr_per_min=16))

    assert finding is not None
    assert finding.severity == "warning"
    assert finding.message.startswith("Not recorded: pulse, blood pressure, deep tendon reflexes.")
    assert finding.source == "[N1] 1.10.5"


# --------------------------------------------------------------------------- schedule

LOAD_AT = utc("2025-01-10 10:00")  # WC-12: load 10:00–10:15 on 2025-01-10 (GMT = UTC)


def test_nothing_is_due_before_any_load() -> None:
    assert due_items(Episode().state(), NICE, LOAD_AT) == []
    assert next_due(Episode().state(), NICE, LOAD_AT) is None


def test_nothing_is_due_once_the_infusion_is_stopped() -> None:
    state = Episode().standard(LOAD_AT).stop(LOAD_AT + timedelta(hours=8)).state()

    assert due_items(state, NICE, LOAD_AT + timedelta(hours=30)) == []


def test_while_loading_the_end_of_the_load_and_observations_are_due() -> None:
    state = Episode().load(LOAD_AT).state()

    items = due_items(state, NICE, LOAD_AT + 5 * MINUTE)

    assert [(i.kind, i.due_at) for i in items] == [
        (DueKind.LOAD_END, utc("2025-01-10 10:15")),
        (DueKind.OBSERVATIONS, utc("2025-01-10 14:00")),
    ]
    assert by_kind(items, DueKind.LOAD_END).key == "load-end:1"


def test_load_end_uses_the_recorded_load_duration() -> None:
    state = Episode().load(LOAD_AT, duration_min="20").state()

    item = by_kind(due_items(state, NICE, LOAD_AT), DueKind.LOAD_END)

    assert item.due_at == utc("2025-01-10 10:20")


def test_load_end_is_overdue_from_its_due_time_not_before() -> None:
    state = Episode().load(LOAD_AT).state()
    due = LOAD_AT + 15 * MINUTE

    assert by_kind(due_items(state, NICE, due - SECOND), DueKind.LOAD_END).overdue is False
    assert by_kind(due_items(state, NICE, due), DueKind.LOAD_END).overdue is True


def test_no_stop_item_before_maintenance_when_the_anchor_is_maintenance_start() -> None:
    state = Episode().load(LOAD_AT).load_finished(LOAD_AT + 15 * MINUTE).state()

    items = due_items(state, NICE, LOAD_AT + 16 * MINUTE)

    assert DueKind.MAX_DURATION_STOP not in kinds(items)


def test_after_the_load_starting_maintenance_is_due_at_once() -> None:
    finished = LOAD_AT + 15 * MINUTE
    state = Episode().load(LOAD_AT).load_finished(finished).state()

    item = by_kind(due_items(state, NICE, finished), DueKind.MAINTENANCE_START)

    assert item.due_at == finished
    assert item.overdue is True
    assert item.key == "maintenance-start:1"
    assert "1 g/h" in item.label


def test_optional_maintenance_is_not_prompted() -> None:
    assert SOGC.maintenance.optional is True
    finished = LOAD_AT + 15 * MINUTE
    state = Episode(SOGC).load(LOAD_AT).load_finished(finished).state()

    items = due_items(state, SOGC, finished)

    assert DueKind.MAINTENANCE_START not in kinds(items)
    assert DueKind.OBSERVATIONS in kinds(items)


def test_wc12_stop_is_due_24_h_after_maintenance_start() -> None:
    state = Episode().standard(LOAD_AT).state()

    item = by_kind(due_items(state, NICE, LOAD_AT + timedelta(hours=1)), DueKind.MAX_DURATION_STOP)

    assert item.due_at == utc("2025-01-11 10:15")
    assert item.key == "stop:1"
    assert item.label.startswith(
        "Stop due: maximum 24 h from the start of maintenance (local setting) [N1] 1.10.4."
    )


def test_stop_anchored_on_load_start_is_due_24_h_after_the_load_began() -> None:
    protocol = with_maintenance(NICE, stop_anchor="load-start")
    state = Episode(protocol).load(LOAD_AT).state()

    item = by_kind(due_items(state, protocol, LOAD_AT), DueKind.MAX_DURATION_STOP)

    assert item.due_at == utc("2025-01-11 10:00")


def test_maintenance_running_has_observations_and_stop_but_no_load_items() -> None:
    state = Episode().standard(LOAD_AT).state()

    items = due_items(state, NICE, LOAD_AT + timedelta(hours=1))

    assert kinds(items) == {DueKind.OBSERVATIONS, DueKind.MAX_DURATION_STOP}


def test_first_observations_are_due_4_h_after_the_load_started() -> None:
    state = Episode().standard(LOAD_AT).state()

    item = by_kind(due_items(state, NICE, LOAD_AT), DueKind.OBSERVATIONS)

    assert item.due_at == utc("2025-01-10 14:00")
    assert item.key == "obs:1:2025-01-10T14:00:00.000000Z"


def test_a_full_set_of_observations_moves_the_next_due_time_and_key() -> None:
    episode = Episode().standard(LOAD_AT)
    before = by_kind(due_items(episode.state(), NICE, LOAD_AT), DueKind.OBSERVATIONS)

    episode.observe(utc("2025-01-10 13:00"))
    after = by_kind(due_items(episode.state(), NICE, LOAD_AT), DueKind.OBSERVATIONS)

    assert after.due_at == utc("2025-01-10 17:00")
    assert after.key != before.key


def test_an_incomplete_set_does_not_reset_the_observation_clock() -> None:
    urine_only = Observation(urine_ml=120, urine_period_h=Decimal(4))
    state = Episode().standard(LOAD_AT).observe(utc("2025-01-10 13:00"), urine_only).state()

    item = by_kind(due_items(state, NICE, LOAD_AT), DueKind.OBSERVATIONS)

    assert item.due_at == utc("2025-01-10 14:00")


def test_observations_before_the_load_do_not_count_towards_the_schedule() -> None:
    state = Episode().observe(LOAD_AT - 30 * MINUTE).standard(LOAD_AT).state()

    item = by_kind(due_items(state, NICE, LOAD_AT), DueKind.OBSERVATIONS)

    assert item.due_at == utc("2025-01-10 14:00")


def test_observations_are_overdue_from_their_due_time_not_before() -> None:
    state = Episode().standard(LOAD_AT).state()
    due = utc("2025-01-10 14:00")

    assert by_kind(due_items(state, NICE, due - SECOND), DueKind.OBSERVATIONS).overdue is False
    assert by_kind(due_items(state, NICE, due), DueKind.OBSERVATIONS).overdue is True


def test_a_second_course_schedules_from_its_own_load_not_old_observations() -> None:
    second_load = utc("2025-01-16 09:00")
    state = (
        Episode()
        .standard(LOAD_AT)
        .observe(utc("2025-01-10 14:00"))
        .stop(utc("2025-01-10 18:00"))
        .load(second_load, course=2)
        .state()
    )

    items = due_items(state, NICE, second_load)

    assert {i.course_number for i in items} == {2}
    assert by_kind(items, DueKind.OBSERVATIONS).due_at == utc("2025-01-16 13:00")


def test_overdue_items_come_first_then_by_due_time() -> None:
    finished = LOAD_AT + 15 * MINUTE
    protocol = with_maintenance(NICE, stop_anchor="load-start")
    state = Episode(protocol).load(LOAD_AT).load_finished(finished).state()

    items = due_items(state, protocol, utc("2025-01-10 14:30"))

    assert [(i.kind, i.overdue) for i in items] == [
        (DueKind.MAINTENANCE_START, True),
        (DueKind.OBSERVATIONS, True),
        (DueKind.MAX_DURATION_STOP, False),
    ]


def test_an_acknowledgement_with_the_same_key_marks_the_item_acknowledged() -> None:
    now = utc("2025-01-10 14:05")
    episode = Episode().standard(LOAD_AT)
    key = by_kind(due_items(episode.state(), NICE, now), DueKind.OBSERVATIONS).key

    episode.acknowledge(key, now)
    items = due_items(episode.state(), NICE, now)

    assert by_kind(items, DueKind.OBSERVATIONS).acknowledged is True
    assert by_kind(items, DueKind.MAX_DURATION_STOP).acknowledged is False


def test_acknowledging_old_observations_does_not_acknowledge_the_next_ones() -> None:
    now = utc("2025-01-10 14:05")
    episode = Episode().standard(LOAD_AT)
    old_key = by_kind(due_items(episode.state(), NICE, now), DueKind.OBSERVATIONS).key
    episode.acknowledge(old_key, now).observe(utc("2025-01-10 14:10"))

    item = by_kind(due_items(episode.state(), NICE, utc("2025-01-10 18:10")), DueKind.OBSERVATIONS)

    assert item.overdue is True
    assert item.acknowledged is False


def test_next_due_is_the_first_item_not_acknowledged() -> None:
    now = utc("2025-01-10 14:05")
    episode = Episode().standard(LOAD_AT)
    obs_key = by_kind(due_items(episode.state(), NICE, now), DueKind.OBSERVATIONS).key

    assert next_due(episode.state(), NICE, now) == by_kind(
        due_items(episode.state(), NICE, now), DueKind.OBSERVATIONS
    )
    episode.acknowledge(obs_key, now)
    upcoming = next_due(episode.state(), NICE, now)

    assert upcoming is not None
    assert upcoming.kind is DueKind.MAX_DURATION_STOP


def test_birth_with_the_infusion_still_running_makes_the_stop_due_at_birth() -> None:
    born = utc("2025-01-10 20:40")
    state = Episode().standard(LOAD_AT).birth(born).state()

    items = due_items(state, NICE, born + MINUTE)

    stop = by_kind(items, DueKind.STOP_AT_BIRTH)
    assert stop.due_at == born
    assert stop.overdue is True
    assert stop.key == "birth-stop:1"
    assert DueKind.MAX_DURATION_STOP not in kinds(items)
    assert DueKind.OBSERVATIONS in kinds(items)


def test_pre_eclampsia_as_a_condition_keeps_the_stop_due_at_birth() -> None:
    # Decisions.md §4: only a senior's severe pre-eclampsia indication with a stop plan
    # replaces it (tests/test_cli_clinical_corrections.py WC-15).
    born = utc("2025-01-10 20:40")
    state = (
        Episode()
        .assessed(LOAD_AT - 30 * MINUTE, conditions=(ConditionId.PRE_ECLAMPSIA,))
        .standard(LOAD_AT)
        .birth(born)
        .state()
    )

    items = due_items(state, NICE, born + MINUTE)

    assert DueKind.STOP_AT_BIRTH in kinds(items)


def test_a_naive_now_is_refused() -> None:
    state = Episode().standard(LOAD_AT).state()

    with pytest.raises(ValueError, match="no time zone"):
        due_items(state, NICE, datetime(2025, 1, 10, 12, 0))


# --------------------------------------------------------------------------- BST / GMT


def test_observations_4_h_across_the_spring_change_are_4_h_of_real_time() -> None:
    # Clocks go forward at 01:00 UTC on 2026-03-29: 00:30 GMT + 4 h real = 05:30 BST.
    load_at = local("2026-03-29 00:30")
    state = Episode().standard(load_at).state()

    item = by_kind(due_items(state, NICE, load_at), DueKind.OBSERVATIONS)

    assert item.due_at - load_at == timedelta(hours=4)
    assert to_local(item.due_at).strftime("%H:%M %Z") == "05:30 BST"


def test_observations_4_h_across_the_autumn_change_are_4_h_of_real_time() -> None:
    # Clocks go back at 01:00 UTC on 2026-10-25: 01:30 BST (first) + 4 h real = 04:30 GMT.
    load_at = local("2026-10-25 01:30", fold=0)
    state = Episode().standard(load_at).state()

    item = by_kind(due_items(state, NICE, load_at), DueKind.OBSERVATIONS)

    assert item.due_at - load_at == timedelta(hours=4)
    assert to_local(item.due_at).strftime("%H:%M %Z") == "04:30 GMT"


def test_the_24_h_stop_across_the_spring_change_is_24_h_of_real_time() -> None:
    load_at = local("2026-03-28 12:00")
    state = Episode().standard(load_at).state()

    item = by_kind(due_items(state, NICE, load_at), DueKind.MAX_DURATION_STOP)

    assert item.due_at - (load_at + 15 * MINUTE) == timedelta(hours=24)
    assert to_local(item.due_at).strftime("%d %H:%M %Z") == "29 13:15 BST"


@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)))
def test_observations_are_always_due_exactly_the_interval_after_the_load(start: datetime) -> None:
    load_at = start.replace(tzinfo=UTC)
    state = Episode().load(load_at).state()

    item = by_kind(due_items(state, NICE, load_at), DueKind.OBSERVATIONS)

    assert item.due_at - load_at == timedelta(hours=4)


# --------------------------------------------------------------------------- exposure


def test_cumulative_exposure_adds_grams_and_hours_across_courses() -> None:
    # Course 1: 4 g load 10:00–10:15, then 1 g/h until 18:15 → 4 + 8 = 12 g over 8.25 h.
    # Course 2: load 09:00, now 10:00 → 4 g + 0.75 h × 1 g/h = 4.75 g over 1 h.
    second_load = utc("2025-01-16 09:00")
    episode = Episode().standard(LOAD_AT).stop(utc("2025-01-10 18:15"))
    episode.load(second_load, course=2).load_finished(second_load + 15 * MINUTE, course=2)
    episode.maintenance(second_load + 15 * MINUTE, course=2)

    grams, hours = cumulative_exposure(episode.state(), utc("2025-01-16 10:00"))

    assert grams == Decimal("16.75")
    assert hours == Decimal("9.25")


def test_cumulative_exposure_is_zero_before_any_load() -> None:
    assert cumulative_exposure(Episode().state(), LOAD_AT) == (Decimal(0), Decimal(0))
