"""The proforma's own fields (decisions.md §16): labour or planned birth, antenatal steroids,
neonatal team informed, in-utero transfer, pre-load checks and the prescriber — each one action
in the registry, planned and checked as the store does."""

from __future__ import annotations

from typing import Any

import pytest
from chain_builders import HOUR, MINUTE, NICE, T0, Chain

from mgso4.core.actions import ACTIONS, ActionRefused, LineContext, check_drafts, plan
from mgso4.core.episode import PAYLOAD_MODELS, EpisodeClosed, EventType, parse_payload
from mgso4.core.protocol import load_preparations_file
from mgso4.resources import resource_path

PREPARATIONS = load_preparations_file(resource_path("preparations.toml"))
KEYS = (
    "labour-evidence",
    "antenatal-steroids",
    "neonatal-team-informed",
    "in-utero-transfer",
    "pre-load-checks",
    "prescribed",
)


def record(chain: Chain, key: str, at_minutes: int, **fields: object) -> Any:
    """One scripting line, planned and checked as the store would, then added to the chain."""
    at = T0 + at_minutes * MINUTE
    context = LineContext(
        episode_uuid=chain.uuid,
        state=chain.state(until=at),
        protocol=NICE,
        preparations=PREPARATIONS,
        at=at,
        by=chain.events[0].recorded_by,
    )
    drafts = plan(key, fields, context)
    check_drafts(chain.events, drafts, NICE, workstation_id="ws-test", recorded_at=at)
    (draft,) = drafts
    payload = PAYLOAD_MODELS[draft.type].model_validate(draft.payload)
    chain.add(draft.type, payload, draft.occurred_at)
    return parse_payload(draft.type, draft.payload)


def test_each_field_is_one_action_with_its_own_entry() -> None:
    types = [ACTIONS[key].event_type for key in KEYS]
    assert len(set(types)) == len(KEYS)
    assert all(ACTIONS[key].build is not None for key in KEYS)


def test_every_field_is_recorded_and_read_back() -> None:
    chain = Chain().assess()
    labour = record(chain, "labour-evidence", 1, kind="established-labour", dilatation_cm="5")
    steroids = record(
        chain,
        "antenatal-steroids",
        2,
        status="given",
        first_dose_at=(T0 - 2 * HOUR).isoformat(),
    )
    record(chain, "neonatal-team-informed", 3, told="neonatal registrar")
    record(chain, "in-utero-transfer", 4, from_unit="Rivermouth", to_unit="Northfield")
    record(chain, "pre-load-checks", 5, calcium_gluconate_available=True, pump="P-12", batch="L1")
    prescribed = record(
        chain, "prescribed", 6, prescriber={"name": "Dr Obi", "role": "obstetrician"}
    )
    assert str(labour.dilatation_cm) == "5"
    assert steroids.first_dose_at == T0 - 2 * HOUR
    assert prescribed.prescriber.name == "Dr Obi"
    kinds = [entry.event.type for entry in chain.state().timeline]
    for key in KEYS:
        assert ACTIONS[key].event_type in kinds


@pytest.mark.parametrize(
    ("key", "fields", "message"),
    [
        ("labour-evidence", {"kind": "established-labour"}, "cervical dilatation"),
        ("labour-evidence", {"kind": "planned-birth", "mode": "caesarean"}, "planned time"),
        ("labour-evidence", {"kind": "established-labour", "dilatation_cm": "11"}, "dilatation"),
        ("antenatal-steroids", {"status": "not-given", "first_dose_at": T0.isoformat()}, "only"),
        (
            "antenatal-steroids",
            {"status": "given", "first_dose_at": (T0 + 5 * HOUR).isoformat()},
            "after the time of this entry",
        ),
        ("in-utero-transfer", {"from_unit": "A", "to_unit": "a"}, "same unit"),
        ("in-utero-transfer", {"from_unit": "A"}, "to_unit"),
    ],
)
def test_incomplete_or_impossible_values_are_refused_with_a_reason(
    key: str, fields: dict[str, object], message: str
) -> None:
    chain = Chain().assess()
    with pytest.raises(ActionRefused, match=message):
        record(chain, key, 5, **fields)


def test_no_calcium_gluconate_asks_for_confirmation() -> None:
    chain = Chain().assess()
    with pytest.raises(ActionRefused, match="Calcium gluconate"):
        record(chain, "pre-load-checks", 5, calcium_gluconate_available=False)


def test_a_closed_episode_takes_no_more_fields() -> None:
    chain = Chain().assess()
    chain.add(EventType.EPISODE_CLOSED, EpisodeClosed(reason="discharged"), T0 + HOUR)
    with pytest.raises(ActionRefused, match="The episode is closed"):
        record(chain, "neonatal-team-informed", 90)
