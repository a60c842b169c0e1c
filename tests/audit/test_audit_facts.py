"""Reason lookup and the JSON report form."""

from __future__ import annotations

import json
from pathlib import Path

from mgso4.audit.data import compute_metrics, shipped_reasons
from mgso4.audit.demo import default_protocol
from mgso4.audit.facts import ReasonBook
from mgso4.core.outcome import Avoidability


def test_reason_comes_from_the_episodes_own_protocol_first() -> None:
    protocol = default_protocol()
    edited = protocol.model_copy(
        update={
            "missed_reasons": tuple(
                reason.model_copy(update={"label": "Unit wording"})
                if reason.code == "NG-EMERGENCY"
                else reason
                for reason in protocol.missed_reasons
            )
        }
    )
    book = ReasonBook({protocol.id: edited})

    assert book.lookup(protocol.id, "NG-EMERGENCY").label == "Unit wording"


def test_reason_falls_back_to_the_reference_list_for_an_unknown_protocol() -> None:
    info = ReasonBook().lookup("a-protocol-not-installed", "NG-NOT-CONSIDERED")

    assert (info.label, info.group) == ("Not considered / not offered", "avoidable")


def test_unrecognised_code_is_kept_for_review_not_dropped() -> None:
    info = ReasonBook().lookup("uk-nice-ng25", "NG-LOCAL-ONLY")

    assert not info.known
    assert info.avoidability is Avoidability.REVIEW
    assert "NG-LOCAL-ONLY" in info.label


def test_shipped_protocols_resolve_every_reference_code() -> None:
    book = shipped_reasons()

    for code in ("NG-BBA", "NG-TRANSFER", "G-LATE", "G-EXPIRED", "UNKNOWN"):
        assert book.lookup("uk-nice-ng25", code).known


def test_report_is_plain_json_with_and_without_suppression(small_demo: Path) -> None:
    metrics = compute_metrics(small_demo)

    full = json.loads(json.dumps(metrics.as_dict()))
    suppressed = json.loads(json.dumps(metrics.as_dict(suppress_below=5)))

    assert full["measures"]["nnap"]["denominator"] == metrics.measures["nnap"].d
    assert "numerator_babies" not in suppressed["measures"]["nnap"]
    assert suppressed["suppress_below"] == 5
