"""The scripting front end (``mgso4 record``, ``mgso4 episode``, ``mgso4 episodes``): a contract.

The worked cases are reference.md §9: WC-1 (27+3, established labour, load 10:00 of 20% at
80 mL/h, maintenance 1 g/h of 10% at 10 mL/h, birth 16:00: NNAP met, PERIPrem optimal, ANZNN
"started 4-24 h before birth"), with the profile's agreed EDD 2025-03-01, and the same case
for twins (decisions.md §13: one maternal episode, one birth per baby; delivered only once
every baby is born). Times without an offset are Europe/London.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scripting_cli import episode, record

from mgso4.cli import main
from mgso4.storage import Store

MIDWIFE = {"name": "Sam Midwife", "role": "midwife"}
CHECKER = {"name": "Priya Midwife", "role": "midwife"}
REGISTRAR = {"name": "Dr Kim Registrar", "role": "obstetrician"}
SENIOR = {"name": "Dr Jo Consultant", "role": "obstetrician"}


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGSO4_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MGSO4_DATA_DIR", str(tmp_path / "data"))


def line(action: str, at: str, episode: str = "wc1", by: dict[str, str] = MIDWIFE, **fields: Any):
    return {"action": action, "episode": episode, "at": at, "by": by, **fields}


def wc1(babies: int = 1) -> list[dict[str, Any]]:
    """WC-1 up to the end of the load's first hours (reference §9)."""
    return [
        line(
            "open",
            "2024-12-03T09:40",
            patient={"name": "Test WC-ONE", "nhs_number": "943 476 5919"},
            edd="2025-03-01",
            situation="established-labour",
            babies=babies,
            preparation="20pct-load-10pct-maint",
        ),
        line(
            "observe",
            "2024-12-03T09:45",
            pulse=84,
            sbp=118,
            dbp=72,
            rr=16,
            spo2=98,
            reflexes="present",
            baseline=True,
        ),
        line("decide", "2024-12-03T09:50", by=REGISTRAR, give=True),
        line("start-load", "2024-12-03T10:00", checked_by=CHECKER),
        line("start-maintenance", "2024-12-03T10:15", checked_by=CHECKER),
        line(
            "observe",
            "2024-12-03T14:00",
            pulse=88,
            sbp=116,
            dbp=70,
            rr=15,
            spo2=97,
            reflexes="present",
            urine_ml=150,
            urine_hours=4,
        ),
    ]


def events_in(db: Path) -> int:
    with Store.open(db, readonly=True) as store:
        return store.counts()["events"]


# --------------------------------------------------------------------------- WC-1


def test_wc1_replays_from_json_lines_and_classifies_as_the_reference_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = [
        *wc1(),
        line("birth", "2024-12-03T16:00", baby=1),
        line("stop", "2024-12-03T16:05", reason="birth"),
    ]

    code, out, err = record(capsys, db, lines, tmp_path)

    assert (code, err) == (0, "")
    uuid = json.loads(out)["wc1"]
    after = episode(capsys, db, uuid, "2024-12-03T16:10")
    assert after["stage"] == "delivered"
    assert after["babies"][0]["born_at"] == "2024-12-03T16:00:00+00:00"
    classes = after["babies"][0]["classes"]
    assert classes["nnap"] == {"eligible": True, "met": True}
    assert classes["periprem_optimal"]["met"] is True
    assert classes["bapm_optimal"]["met"] is True
    assert classes["anznn"] == "started-4-to-24h-before-birth"
    # 4 g load + 5 h 50 min at 1 g/h (reference §9 WC-1/WC-12 arithmetic).
    assert after["cumulative_grams"] == pytest.approx(9.83, abs=0.01)


def test_wc1_during_maintenance_shows_the_rate_in_both_units_and_the_24h_stop(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    _, out, _ = record(capsys, db, wc1(), tmp_path)
    uuid = json.loads(out)["wc1"]

    during = episode(capsys, db, uuid, "2024-12-03T12:00")

    assert during["stage"] == "maintenance"
    assert during["running"] == {
        "rate_ml_per_h": 10,
        "rate_g_per_h": 1,
        "concentration_g_per_ml": 0.1,
    }
    # 24 h from the maintenance start (decisions.md §4; WC-12).
    assert during["stop_due_at"] == "2024-12-04T10:15:00+00:00"
    assert during["on_board"] is True
    assert {"stop", "change-rate", "birth"} <= set(during["allowed_actions"])
    assert "start-load" not in during["allowed_actions"]


def test_a_missed_observation_is_an_open_alert_that_stays_until_acknowledged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    _, out, _ = record(capsys, db, wc1(), tmp_path)
    uuid = json.loads(out)["wc1"]

    late = episode(capsys, db, uuid, "2024-12-03T18:30")  # due 18:00 (4 h after 14:00)

    (alert,) = late["open_alerts"]
    assert alert["kind"] == "observations-due"
    assert alert["severity"] == "critical"  # unacknowledged for more than 15 min
    code, _, _ = record(
        capsys,
        db,
        [
            line(
                "acknowledge",
                "2024-12-03T18:31",
                episode=uuid,
                alert=alert["id"],
                reason="woman in theatre; obs at 18:45",
            )
        ],
        tmp_path,
    )
    assert code == 0
    assert episode(capsys, db, uuid, "2024-12-03T18:35")["open_alerts"] == []


# --------------------------------------------------------------------------- twins


def test_twin_case_needs_both_births_before_the_episode_is_delivered(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = [
        *wc1(babies=2),
        line("birth", "2024-12-03T16:00", baby=1, label="Twin 1"),
        line("birth", "2024-12-03T16:20", baby=2, label="Twin 2"),
        line("stop", "2024-12-03T16:25", reason="birth"),
    ]

    code, out, _ = record(capsys, db, lines, tmp_path)

    assert code == 0
    uuid = json.loads(out)["wc1"]
    between = episode(capsys, db, uuid, "2024-12-03T16:10")
    assert (between["babies_expected"], between["births"]) == (2, 1)
    assert between["stage"] == "maintenance"
    assert "birth" in between["allowed_actions"]
    after = episode(capsys, db, uuid, "2024-12-03T16:30")
    assert after["stage"] == "delivered"
    assert [baby["classes"]["nnap"]["met"] for baby in after["babies"]] == [True, True]
    assert "birth" not in after["allowed_actions"]


def test_a_third_baby_of_twins_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = [*wc1(babies=2), line("birth", "2024-12-03T16:00", baby=3)]

    code, _, err = record(capsys, db, lines, tmp_path)

    assert code == 2
    assert err.count("\n") == 1
    assert "line 7" in err and "expects 2 babies" in err


# --------------------------------------------------------------------------- refusals


def test_a_refused_line_records_nothing_and_names_the_line_and_the_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = wc1()
    lines.insert(4, line("change-rate", "2024-12-03T10:05", rate_ml_per_h=5, reason="early"))

    code, out, err = record(capsys, db, lines, tmp_path)

    assert (code, out) == (2, "")
    assert err.startswith("mgso4 record: error: line 5: change-rate:")
    assert "No maintenance infusion is running" in err
    assert events_in(db) == 0


def test_a_soft_limit_needs_confirm_with_a_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    # 15 mL/h of 10% is 1.5 g/h: above the 1 g/h soft limit, below the 2 g/h hard limit.
    faster = line("change-rate", "2024-12-03T12:00", rate_ml_per_h=15, reason="senior review")

    code, _, err = record(capsys, db, [*wc1(), faster], tmp_path)
    assert code == 2 and "soft limit" in err and "confirm" in err
    assert events_in(db) == 0

    code, out, _ = record(capsys, db, [*wc1(), {**faster, "confirm": True}], tmp_path)
    assert code == 0
    running = episode(capsys, db, json.loads(out)["wc1"], "2024-12-03T12:30")["running"]
    assert running["rate_g_per_h"] == 1.5


def test_a_hard_limit_is_refused_even_when_confirmed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    # 25 mL/h of 10% is 2.5 g/h: above the 2 g/h hard limit.
    lines = [
        *wc1(),
        line("change-rate", "2024-12-03T12:00", rate_ml_per_h=25, reason="typo", confirm=True),
    ]

    code, _, err = record(capsys, db, lines, tmp_path)

    assert code == 2 and "hard limit" in err
    assert events_in(db) == 0


def test_amending_a_load_to_an_impossible_dose_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    _, out, _ = record(capsys, db, wc1(), tmp_path)
    uuid = json.loads(out)["wc1"]
    with Store.open(db, readonly=True) as store:
        load = next(e for e in store.events(uuid) if e.type.value == "load-started")

    # 40 g on a 20 mL syringe of 20%: the dose is not what the syringe holds, and above 6 g.
    fix = line(
        "amend", "2024-12-03T11:00", episode=uuid, entry=load.uuid, reason="typed",
        changes={"dose_g": "40"},
    )  # fmt: skip
    code, _, err = record(capsys, db, [fix], tmp_path)

    assert code == 2
    assert "20 mL × 0.2 g/mL = 4 g" in err
    assert episode(capsys, db, uuid, "2024-12-03T12:00")["cumulative_grams"] < 7


def test_voiding_the_load_lets_the_load_be_recorded_again(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    _, out, _ = record(capsys, db, wc1()[:4], tmp_path)  # up to the load start
    uuid = json.loads(out)["wc1"]
    with Store.open(db, readonly=True) as store:
        load = next(e for e in store.events(uuid) if e.type.value == "load-started")
    void = line("void", "2024-12-03T10:02", episode=uuid, entry=load.uuid, reason="wrong time")

    assert record(capsys, db, [void], tmp_path)[0] == 0
    allowed = episode(capsys, db, uuid, "2024-12-03T10:03")["allowed_actions"]
    assert "start-load" in allowed
    again = line("start-load", "2024-12-03T10:04", episode=uuid, checked_by=CHECKER)
    assert record(capsys, db, [again], tmp_path)[0] == 0


def test_a_time_that_has_not_happened_yet_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = [*wc1(), line("birth", "2199-12-01T10:00", baby=1)]

    code, _, err = record(capsys, db, lines, tmp_path)

    assert code == 2 and "line 7" in err and "has not happened yet" in err
    assert events_in(db) == 0


def test_at_without_an_offset_is_london_time(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    opened = line(
        "open", "2025-06-02T10:00", episode="summer",
        patient={"name": "Test BST", "nhs_number": "9434765919"}, gestation="28+0",
        situation="established-labour",
    )  # fmt: skip

    code, out, _ = record(capsys, db, [opened], tmp_path)

    assert code == 0
    with Store.open(db, readonly=True) as store:
        created = store.events(json.loads(out)["summer"])[0]
    assert created.occurred_at.isoformat() == "2025-06-02T09:00:00+00:00"  # BST = UTC+1


def test_repeat_course_within_6_hours_restarts_maintenance_without_a_new_load(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # decisions.md §8: within 6 h of the last infusion ending, maintenance restarts without a
    # new load, on a named senior's decision; cumulative grams and hours run across courses.
    db = tmp_path / "ward.sqlite3"
    lines = [
        *wc1(),
        line("stop", "2024-12-03T15:00", reason="no-longer-imminent"),
        line("decide", "2024-12-03T17:50", by=REGISTRAR, give=True, senior=SENIOR),
        line("start-load", "2024-12-03T18:00", checked_by=CHECKER),
    ]
    code, _, err = record(capsys, db, lines, tmp_path)
    assert code == 2 and "restart maintenance without a new loading dose" in err

    lines[-1] = line("restart-maintenance", "2024-12-03T18:00", checked_by=CHECKER)
    code, out, _ = record(capsys, db, lines, tmp_path)
    assert code == 0
    state = episode(capsys, db, json.loads(out)["wc1"], "2024-12-03T19:00")
    assert [course["loaded"] for course in state["courses"]] == [True, False]
    assert state["cumulative_hours"] == pytest.approx(6.0, abs=0.01)  # 5 h + 1 h
    assert state["cumulative_grams"] == pytest.approx(4 + 4.75 + 1, abs=0.01)


def test_a_repeat_course_needs_a_named_senior(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = [
        *wc1(),
        line("stop", "2024-12-03T15:00", reason="no-longer-imminent"),
        line("decide", "2024-12-03T17:50", by=REGISTRAR, give=True),
    ]

    code, _, err = record(capsys, db, lines, tmp_path)

    assert code == 2 and "named senior" in err and "line 8" in err


def test_schema_lists_every_scripting_action(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)

    keys = set(schema["actions"])
    assert {
        "open", "decide", "observe", "start-load", "end-load", "start-maintenance",
        "restart-maintenance", "change-rate", "change-syringe", "stop", "birth", "not-given",
        "acknowledge", "close", "amend", "void",
    } <= keys  # fmt: skip
    assert schema["actions"]["birth"]["properties"]["baby"]["minimum"] == 1
    assert {"action", "episode", "at", "by"} <= set(schema["actions"]["stop"]["required"])


# --------------------------------------------------------------------------- the board


def test_the_board_lists_episodes_until_closed_most_urgent_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    quiet = line(
        "open", "2024-12-03T09:00", episode="quiet",
        patient={"name": "Test QUIET", "nhs_number": "9990000026"}, gestation="31+0",
        situation="suspected-labour",
    )  # fmt: skip
    code, out, _ = record(capsys, db, [*wc1(), quiet], tmp_path)
    assert code == 0
    aliases = json.loads(out)

    assert main(["episodes", "--db", str(db), "--at", "2024-12-03T18:30", "--json"]) == 0
    board = json.loads(capsys.readouterr().out)["episodes"]
    assert [item["episode"] for item in board] == [aliases["wc1"], aliases["quiet"]]
    assert board[0]["open_alerts"][0]["kind"] == "observations-due"

    closing = line(
        "close", "2024-12-03T10:00", episode=aliases["quiet"],
        reason="not indicated now", reassess_at="2024-12-04T10:00",
    )  # fmt: skip
    assert record(capsys, db, [closing], tmp_path)[0] == 0
    assert main(["episodes", "--db", str(db), "--at", "2024-12-03T18:30", "--json"]) == 0
    board = json.loads(capsys.readouterr().out)["episodes"]
    assert [item["episode"] for item in board] == [aliases["wc1"]]
    assert main(["episodes", "--db", str(db), "--at", "2024-12-04T10:30", "--json"]) == 0
    board = json.loads(capsys.readouterr().out)["episodes"]
    assert aliases["quiet"] in [item["episode"] for item in board]  # reassessment due


def test_the_board_without_at_reads_the_candidates_as_the_app_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    quiet = line(
        "open", "2024-12-03T09:00", episode="quiet",
        patient={"name": "Test QUIET", "nhs_number": "9990000026"}, gestation="31+0",
        situation="suspected-labour",
    )  # fmt: skip
    code, out, _ = record(capsys, db, [*wc1(), quiet], tmp_path)
    assert code == 0
    aliases = json.loads(out)
    closing = line("close", "2024-12-03T10:00", episode=aliases["quiet"], reason="home")
    assert record(capsys, db, [closing], tmp_path)[0] == 0

    assert main(["episodes", "--db", str(db), "--json"]) == 0
    now = json.loads(capsys.readouterr().out)["episodes"]
    assert aliases["quiet"] not in [item["episode"] for item in now]
    assert [item["episode"] for item in now] == [aliases["wc1"]]
    assert isinstance(now[0]["never_closed_past"], bool)


def test_opening_a_contraindicated_episode_records_the_decision_not_to_give_as_the_wizard_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from mgso4.core.episode import EventType
    from mgso4.storage import Store

    db = tmp_path / "ward.sqlite3"
    opening = line(
        "open", "2024-12-03T09:00", episode="mg",
        patient={"name": "Test ALLERGIC", "nhs_number": "9990000026"}, gestation="27+3",
        situation="established-labour", conditions=["hypersensitivity"],
    )  # fmt: skip
    code, out, err = record(capsys, db, [opening], tmp_path)
    assert code == 0, err
    uuid = json.loads(out)["mg"]
    store = Store.open(db)
    try:
        decisions = [e for e in store.events(uuid) if e.type is EventType.DECISION]
    finally:
        store.close()
    assert [(d.payload["give"], d.recorded_by.name) for d in decisions] == [
        (False, MIDWIFE["name"])
    ]
    assert "start-load" not in episode(capsys, db, uuid, "2024-12-03T09:05")["allowed_actions"]


# --------------------------------------------------------------------------- merge


def test_merge_into_the_live_ward_record_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from mgso4.storage import default_db_path

    other = tmp_path / "other.sqlite3"
    record(capsys, other, wc1(), tmp_path)
    live = default_db_path()

    code = main(["merge", "--into", str(live), str(other), "--quiet"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("mgso4 merge: error: --into:") and "ward's own record" in err
    assert not live.exists()
