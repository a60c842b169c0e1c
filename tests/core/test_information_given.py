"""Information given and the woman's agreement (decisions.md §16): one action in the registry.

Recorded through ``core.actions`` like every other action: the store checks it, the scripting
front end records it, and the fold keeps it in the timeline.
"""

from __future__ import annotations

import pytest
from chain_builders import HOUR, MINUTE, NICE, T0, Chain

from mgso4.core.actions import (
    ACTIONS,
    ActionRefused,
    LineContext,
    allowed_actions,
    check_drafts,
    information_given,
    plan,
)
from mgso4.core.episode import EpisodeClosed, EventType, InformationGiven
from mgso4.core.protocol import load_preparations_file
from mgso4.resources import resource_path

PREPARATIONS = load_preparations_file(resource_path("preparations.toml"))


def record(chain: Chain, at_minutes: int, **fields: object) -> None:
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
    drafts = plan("information-given", fields, context)
    check_drafts(chain.events, drafts, NICE, workstation_id="ws-test", recorded_at=at)
    for draft in drafts:
        chain.add(draft.type, InformationGiven.model_validate(draft.payload), draft.occurred_at)


def test_information_and_agreement_are_recorded_and_read_back() -> None:
    chain = Chain().assess()

    record(chain, 5, agreement="agreed", off_label_discussed=True, given_to="the woman and partner")

    ((at, given),) = information_given(chain.state())
    assert at == T0 + 5 * MINUTE
    assert (given.agreement, given.off_label_discussed) == ("agreed", True)
    assert "information-given" in allowed_actions(chain.state(), NICE, T0 + 6 * MINUTE)


def test_not_able_to_discuss_needs_the_reason() -> None:
    chain = Chain().assess()

    with pytest.raises(ActionRefused, match="Say why it could not be discussed"):
        record(chain, 5, agreement="not-able-to-discuss")
    record(chain, 5, agreement="not-able-to-discuss", note="fully dilated on arrival")

    assert information_given(chain.state())[0][1].note == "fully dilated on arrival"


def test_a_closed_episode_takes_no_more_information() -> None:
    chain = Chain().assess()
    chain.add(EventType.EPISODE_CLOSED, EpisodeClosed(reason="discharged"), T0 + HOUR)

    with pytest.raises(ActionRefused, match="The episode is closed"):
        record(chain, 90, agreement="agreed")


def test_an_unknown_answer_is_refused_naming_the_field() -> None:
    chain = Chain().assess()

    with pytest.raises(ActionRefused, match="agreement"):
        record(chain, 5, agreement="maybe")


def test_the_action_is_in_the_scripting_schema() -> None:
    spec = ACTIONS["information-given"]
    assert spec.event_type is EventType.INFORMATION_GIVEN
    assert spec.fields.model_json_schema()["properties"]["agreement"]["enum"] == [
        "agreed",
        "declined",
        "not-able-to-discuss",
    ]
