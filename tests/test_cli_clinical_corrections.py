"""Clinical corrections through the scripting front end (``mgso4 record`` / ``mgso4 episode``).

Worked cases WC-13 onwards extend reference.md §9 with decisions.md §4, §13–§15:

- WC-13 Twins (decisions.md §13): 27+3 twins, WC-1's course; twin 1 born 16:00, twin 2 16:40.
  Between the births the infusion keeps running, no stop is prompted and a stop "at birth" is
  refused; the stop-at-birth alert comes only at 16:40.
- WC-14 Twins, 24 h item (decisions.md §4, §13): twin 1 is born and twin 2 is not; the 24 h
  maximum-duration stop stays due (it was suppressed at the first birth).
- WC-15 Severe pre-eclampsia (decisions.md §4; NG133 [N3] 1.8.4): recorded as its own
  indication by a named senior with a stop plan, it replaces the stop-at-birth prompt;
  pre-eclampsia recorded only as a condition changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from scripting_cli import episode, record

from mgso4.cli import main

MIDWIFE = {"name": "Sam Midwife", "role": "midwife"}
CHECKER = {"name": "Priya Midwife", "role": "midwife"}
REGISTRAR = {"name": "Dr Kim Registrar", "role": "obstetrician"}


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGSO4_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MGSO4_DATA_DIR", str(tmp_path / "data"))


def line(action: str, at: str, episode: str = "wc", by: dict[str, str] = MIDWIFE, **fields: Any):
    return {"action": action, "episode": episode, "at": at, "by": by, **fields}


def course(
    babies: int = 1,
    conditions: tuple[str, ...] = (),
    decide: dict[str, Any] | None = None,
    preparation: str = "20pct-load-10pct-maint",
    baseline: bool = True,
) -> list[dict[str, Any]]:
    """WC-1's course (reference §9): load 10:00, maintenance 10:15 on 2024-12-03."""
    opened = [
        line(
            "open",
            "2024-12-03T09:40",
            patient={"name": "Test WC", "nhs_number": "943 476 5919"},
            edd="2025-03-01",
            situation="established-labour",
            babies=babies,
            conditions=list(conditions),
            preparation=preparation,
        )
    ]
    if baseline:
        opened.append(
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
            )
        )
    return [
        *opened,
        line("decide", "2024-12-03T09:50", by=REGISTRAR, give=True, **(decide or {})),
        line("start-load", "2024-12-03T10:00", checked_by=CHECKER),
        line("start-maintenance", "2024-12-03T10:15", checked_by=CHECKER),
    ]


def alert_ids(data: dict[str, Any]) -> list[str]:
    return [alert["id"] for alert in data["open_alerts"]]


# --------------------------------------------------------------------------- WC-13/14 twins


def test_wc13_the_first_twins_birth_never_prompts_a_stop(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    code, out, err = record(
        capsys,
        db,
        [*course(babies=2), line("birth", "2024-12-03T16:00", baby=1, label="Twin 1")],
        tmp_path,
    )
    assert code == 0, err
    uuid = json.loads(out)["wc"]

    between = episode(capsys, db, uuid, "2024-12-03T16:30")

    assert (between["babies_expected"], between["births"], between["all_born"]) == (2, 1, False)
    assert between["stage"] == "maintenance"
    assert between["running"] is not None
    assert not [a for a in between["open_alerts"] if a["kind"] == "stop-infusion"]
    assert "stop-at-birth" not in [item["what"] for item in between["next_due"]]


def test_wc13_a_stop_at_birth_before_the_last_twin_is_born_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = [
        *course(babies=2),
        line("birth", "2024-12-03T16:00", baby=1),
        line("stop", "2024-12-03T16:05", reason="birth"),
    ]

    code, _, err = record(capsys, db, lines, tmp_path)

    assert code != 0
    assert "1 of 2 births" in err and "last baby" in err


def test_wc13_the_stop_prompt_comes_at_the_last_twins_birth(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = [
        *course(babies=2),
        line("birth", "2024-12-03T16:00", baby=1),
        line("birth", "2024-12-03T16:40", baby=2),
    ]
    code, out, err = record(capsys, db, lines, tmp_path)
    assert code == 0, err
    uuid = json.loads(out)["wc"]

    after = episode(capsys, db, uuid, "2024-12-03T16:45")

    assert after["all_born"] is True
    assert "birth-stop:1" in alert_ids(after)
    assert after["stop_due_at"] == "2024-12-03T16:40:00+00:00"


def test_wc14_the_24h_stop_stays_due_while_a_twin_is_unborn(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    code, out, err = record(
        capsys, db, [*course(babies=2), line("birth", "2024-12-03T16:00", baby=1)], tmp_path
    )
    assert code == 0, err
    uuid = json.loads(out)["wc"]

    late = episode(capsys, db, uuid, "2024-12-04T10:20")

    assert late["stop_due_at"] == "2024-12-04T10:15:00+00:00"
    assert "stop:1" in alert_ids(late)


def test_wc13_babies_expected_is_corrected_by_amending_the_opening_entry(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    code, out, err = record(capsys, db, course(babies=1), tmp_path)
    assert code == 0, err
    uuid = json.loads(out)["wc"]
    from mgso4.core.episode import EventType
    from mgso4.storage import Store

    with Store.open(db, readonly=True) as store:
        created = next(e.uuid for e in store.events(uuid) if e.type is EventType.EPISODE_CREATED)
    fix = [
        line(
            "amend",
            "2024-12-03T11:00",
            episode=uuid,
            entry=created,
            reason="scan: twins",
            changes={"plurality": 2},
        ),
        line("birth", "2024-12-03T16:00", episode=uuid, baby=1),
    ]
    code, _, err = record(capsys, db, fix, tmp_path)
    assert code == 0, err

    data = episode(capsys, db, uuid, "2024-12-03T16:10")

    assert (data["babies_expected"], data["births"], data["all_born"]) == (2, 1, False)
    assert "birth" in data["allowed_actions"]


# --------------------------------------------------------------------------- WC-15 pre-eclampsia


def test_wc15_pre_eclampsia_as_a_condition_keeps_the_stop_at_birth(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = [*course(conditions=("pre-eclampsia",)), line("birth", "2024-12-03T16:00", baby=1)]
    code, out, err = record(capsys, db, lines, tmp_path)
    assert code == 0, err
    uuid = json.loads(out)["wc"]

    after = episode(capsys, db, uuid, "2024-12-03T16:05")

    assert after["stop_plan"] is None
    assert "birth-stop:1" in alert_ids(after)


def test_wc15_severe_pre_eclampsia_needs_a_named_senior(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    plan = {"stop_plan": "1 g/h for 24 h from the load (NG133 1.8.4), review 10:00"}
    code, _, err = record(capsys, db, course(decide={"severe_pre_eclampsia": plan}), tmp_path)

    assert code != 0
    assert "named senior" in err


def test_wc15_severe_pre_eclampsia_by_a_senior_replaces_the_stop_at_birth_with_its_plan(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    plan = {"stop_plan": "1 g/h for 24 h (NG133 1.8.4), obstetric review at 10:15 tomorrow"}
    senior = {"name": "Dr Jo Consultant", "role": "obstetrician"}
    lines = [
        *course(
            conditions=("pre-eclampsia",),
            decide={"severe_pre_eclampsia": plan, "senior": senior},
        ),
        line("birth", "2024-12-03T16:00", baby=1),
    ]
    code, out, err = record(capsys, db, lines, tmp_path)
    assert code == 0, err
    uuid = json.loads(out)["wc"]

    after = episode(capsys, db, uuid, "2024-12-03T16:05")

    assert after["stop_plan"] == {"eclampsia": False, "plan": plan["stop_plan"]}
    assert "birth-stop:1" not in alert_ids(after)
    assert after["stop_due_at"] == "2024-12-04T10:15:00+00:00"


def test_no_text_says_the_infusion_continues_24h_after_birth() -> None:
    root = Path(__file__).resolve().parents[1]
    texts = [
        *(root / "resources" / "protocols").glob("*.toml"),
        *(root / "desktop" / "mgso4" / "core").glob("*.py"),
    ]
    for path in texts:
        assert "24 h after birth" not in path.read_text("utf-8").replace(
            'not say "24 h after birth"', ""
        ), path


# --------------------------------------------------------------------------- WC-16/17 toxicity
# WC-16 (decisions.md §14; reference §6.2 [T1]): on maintenance, serum Mg 6.0 mmol/L with normal
# observations; then BP 70/35 with pulse 40. Each flags toxicity (LOCAL settings).
# WC-17 (decisions.md §14; [D4]): renal impairment, WC-1's course at 1 g/h: 4 g + 16 h = 20 g
# reaches the 20 g in 48 h cap at 02:15 next day.

NORMAL = {"pulse": 84, "sbp": 118, "dbp": 72, "rr": 16, "spo2": 98, "reflexes": "present"}


def _toxicity_ids(capsys: pytest.CaptureFixture[str], tmp_path: Path, **fields: Any) -> list[str]:
    db = tmp_path / "ward.sqlite3"
    lines = [*course(), line("observe", "2024-12-03T14:00", **{**NORMAL, **fields})]
    code, out, err = record(capsys, db, lines, tmp_path)
    assert code == 0, err
    data = episode(capsys, db, json.loads(out)["wc"], "2024-12-03T14:05")
    return [a["id"].split(":")[1] for a in data["open_alerts"] if a["kind"] == "toxicity"]


@pytest.mark.parametrize(
    ("fields", "codes"),
    [
        ({"serum_mg_mmol_l": "6.0"}, ["serum-mg-act-now"]),
        ({"serum_mg_mmol_l": "3.6"}, ["serum-mg-high"]),
        ({"serum_mg_mmol_l": "3.5"}, []),
        ({"sbp": 70, "dbp": 35, "pulse": 40}, ["diastolic-fall", "pulse-low", "systolic-low"]),
        ({"sbp": 90, "pulse": 50}, []),
        ({"consciousness": "reduced"}, ["consciousness-reduced"]),
        ({"chest_pain": True}, ["chest-pain"]),
        ({"breathing_difficulty": True}, ["breathing-difficulty"]),
    ],
)
def test_wc16_toxicity_signs_beyond_the_numeric_triggers_are_flagged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fields: dict[str, Any], codes: list[str]
) -> None:
    assert sorted(_toxicity_ids(capsys, tmp_path, **fields)) == codes


def test_wc16_a_load_without_a_baseline_set_raises_baseline_missing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    code, out, err = record(capsys, db, course(baseline=False), tmp_path)
    assert code == 0, err

    data = episode(capsys, db, json.loads(out)["wc"], "2024-12-03T10:20")

    assert "baseline-missing:1" in alert_ids(data)


def test_wc16_the_diastolic_fall_is_measured_from_the_baseline_set_not_an_on_treatment_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    lines = [
        *course(),  # baseline diastolic 72
        line("observe", "2024-12-03T11:00", **{**NORMAL, "dbp": 95}),
        line("observe", "2024-12-03T14:00", **{**NORMAL, "dbp": 60}),
    ]
    code, out, err = record(capsys, db, lines, tmp_path)
    assert code == 0, err

    data = episode(capsys, db, json.loads(out)["wc"], "2024-12-03T14:05")

    # 95 -> 60 would be a fall of 35 from the on-treatment set; from the baseline 72 it is 12.
    assert not [a for a in data["open_alerts"] if a["kind"] == "toxicity"]


def test_wc17_renal_impairment_checks_the_48h_cap(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    senior = {"name": "Dr Jo Consultant", "role": "obstetrician"}
    lines = course(conditions=("renal-impairment",), decide={"senior": senior})
    code, out, err = record(capsys, db, lines, tmp_path)
    assert code == 0, err
    uuid = json.loads(out)["wc"]

    before = episode(capsys, db, uuid, "2024-12-04T02:00")
    after = episode(capsys, db, uuid, "2024-12-04T02:20")

    assert "renal-cap:1" not in alert_ids(before)
    assert "renal-cap:1" in alert_ids(after)


# --------------------------------------------------------------------------- WC-18/19 the 8 % bag
# WC-18 (decisions.md §15; reference §3.2 [T6]): 4 g from an 8 g/100 mL bag: VTBI 50 mL;
# WC-19: the load's end recorded without a second person leaves a "rate-check" alert; a load
# "ended" at 0 min of its 15 min asks for confirmation.


def test_wc18_assess_json_gives_the_rouse_make_up_from_the_dose(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "assess",
            "--gestation",
            "27+3",
            "--situation",
            "established-labour",
            "--protocol",
            "acog-rouse",
            "--preparation",
            "50pct-diluted-20pct",
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)

    assert code == 0
    assert data["loading"]["make_up"].startswith("12 mL of 50% ampoules (6 g) + 18 mL")
    assert data["preparation"]["loading"]["make_up"] == data["loading"]["make_up"]
    assert data["maintenance"]["make_up"].startswith("20 mL of 50% ampoules (10 g) + 30 mL")


def test_wc18_assess_json_says_set_vtbi_50_ml_for_the_8_percent_bag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(
        [
            "assess",
            "--gestation",
            "27+3",
            "--situation",
            "established-labour",
            "--preparation",
            "8pct-premixed",
            "--json",
        ]
    )
    data = json.loads(capsys.readouterr().out)

    assert code == 0
    assert data["loading"]["vtbi_ml"] == 50
    assert "set VTBI 50 mL" in data["loading"]["make_up"]
    assert "12.5 mL/h" in data["maintenance"]["make_up"]
    assert any("set VTBI 50 mL" in warning for warning in data["warnings"])


def _bag_course(end_load: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        *course(preparation="8pct-premixed")[:-1],  # up to the load start
        line("end-load", "2024-12-03T10:15", **end_load),
    ]


def test_wc19_a_bag_load_ended_without_a_second_person_raises_rate_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    code, out, err = record(capsys, db, _bag_course({}), tmp_path)
    assert code == 0, err

    data = episode(capsys, db, json.loads(out)["wc"], "2024-12-03T10:16")

    assert "rate-check:1" in alert_ids(data)


def test_wc19_a_bag_load_ended_with_a_second_person_checking_is_quiet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    code, out, err = record(capsys, db, _bag_course({"checked_by": CHECKER}), tmp_path)
    assert code == 0, err

    data = episode(capsys, db, json.loads(out)["wc"], "2024-12-03T10:16")

    assert "rate-check:1" not in alert_ids(data)


def test_wc19_maintenance_started_from_a_running_bag_load_counts_its_checker(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    code, out, err = record(capsys, db, course(preparation="8pct-premixed"), tmp_path)
    assert code == 0, err

    data = episode(capsys, db, json.loads(out)["wc"], "2024-12-03T10:16")

    assert "rate-check:1" not in alert_ids(data)
    assert data["running"]["rate_ml_per_h"] == 12.5


def test_wc19_a_load_ended_at_0_min_asks_for_confirmation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    early = [*course()[:-1], line("end-load", "2024-12-03T10:00", checked_by=CHECKER)]

    code, _, err = record(capsys, db, early, tmp_path)

    assert code != 0
    assert "0 min after it started" in err and "confirm" in err


def test_wc19_a_confirmed_early_load_end_is_recorded_with_its_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "ward.sqlite3"
    early = [
        *course()[:-1],
        line("end-load", "2024-12-03T10:03", confirm=True, reason="cannula tissued, stopped"),
    ]

    code, _, err = record(capsys, db, early, tmp_path)

    assert code == 0, err


# --------------------------------------------------------------------------- WC-20 audit classes
# WC-20 (decisions.md §10): a load 10 days before a 28+6 birth with no recorded stop counts as
# stopped at its 24 h maximum: NNAP not met, flagged stop_time_missing. PERIPrem "received any"
# (no 24 h window) is met; "could it have been optimal?" is asked only when it was given.


def _classify(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code = main(
        [
            "classify",
            "--birth",
            "2025-01-20T10:00",
            "--gestation-at-birth",
            "28+6",
            *extra,
            "--json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    return data


def test_wc20_a_course_with_no_stop_counts_as_stopped_at_its_maximum(
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _classify(capsys, "--load-start", "2025-01-10T10:00")

    assert data["nnap"] == {"eligible": True, "met": False}
    assert data["stop_time_missing"] is True
    assert data["anznn"] == "stopped-over-24h-before-birth"
    assert data["periprem_received_any"] == {"eligible": True, "met": True}


def test_wc20_classify_keeps_bapm_and_periprem_apart(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Load stopped after 20 min, birth 20 h later: PERIPrem-optimal, not BAPM-optimal.
    data = _classify(capsys, "--load-start", "2025-01-19T14:00", "--stop", "2025-01-19T14:20")

    assert data["periprem_optimal"]["met"] is True
    assert data["bapm_optimal"] == {"eligible": True, "met": False}
    assert data["stop_time_missing"] is False


# --------------------------------------------------------------------------- WC-22 named senior
# WC-22 (decisions.md §5, §8): at 23+4 the senior page accepted "x" as a student. A senior
# decision needs a role from the unit's list and a name of more than initials.


def _discuss_case(senior: dict[str, str]) -> list[dict[str, Any]]:
    return [
        line(
            "open",
            "2024-11-08T09:40",
            patient={"name": "Test WC", "nhs_number": "943 476 5919"},
            gestation="23+4",
            situation="established-labour",
        ),
        line("decide", "2024-11-08T09:50", by=REGISTRAR, give=True, senior=senior),
    ]


@pytest.mark.parametrize(
    ("senior", "words"),
    [
        ({"name": "x", "role": "student"}, "cannot make the senior decision"),
        ({"name": "x", "role": "obstetrician"}, "more than initials"),
        ({"name": "Dr J. K.", "role": "obstetrician"}, "more than initials"),
    ],
)
def test_wc22_a_senior_needs_a_senior_role_and_a_name(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    senior: dict[str, str],
    words: str,
) -> None:
    code, _, err = record(capsys, tmp_path / "ward.sqlite3", _discuss_case(senior), tmp_path)

    assert code != 0
    assert words in err


def test_wc22_a_named_obstetrician_is_accepted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    senior = {"name": "Dr Jo Li", "role": "obstetrician"}

    code, _, err = record(capsys, tmp_path / "ward.sqlite3", _discuss_case(senior), tmp_path)

    assert code == 0, err


# --------------------------------------------------------------------------- WC-26 dating
# WC-26 (issue 9; LOCAL tolerance 7 days): 23+4 stated, an EDD giving 29+1 and an LMP giving
# 31+2 disagree by 54 days: the open is refused until the agreed dating has a reason, and the
# discrepancy is recorded with the episode.


def _dating_case(**extra: Any) -> list[dict[str, Any]]:
    return [
        line(
            "open",
            "2024-11-08T09:40",
            patient={"name": "Test WC", "nhs_number": "943 476 5919"},
            gestation="23+4",
            also_edd="2025-01-12",
            also_lmp="2024-04-01",
            situation="established-labour",
            **extra,
        )
    ]


def test_wc26_dating_methods_that_disagree_need_an_agreed_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = record(capsys, tmp_path / "ward.sqlite3", _dating_case(), tmp_path)

    assert code != 0
    assert "disagree by" in err and "7-day tolerance" in err


def test_wc26_the_discrepancy_is_recorded_with_the_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from mgso4.storage import Store

    db = tmp_path / "ward.sqlite3"
    reason = "early scan agreed by the consultant"
    code, out, err = record(capsys, db, _dating_case(dating_agreed_reason=reason), tmp_path)
    assert code == 0, err

    with Store.open(db, readonly=True) as store:
        state = store.episode(json.loads(out)["wc"])
    discrepancy = state.created.dating.discrepancy

    assert discrepancy is not None and discrepancy.reason == reason
    assert discrepancy.spread_days > 7
    assert discrepancy.estimates["chosen (weeks+days)"] == "23+4"


# --------------------------------------------------------------------------- WC-27 not given
# WC-27 (issue 11): after a senior's "do not give", "Not recorded (UNKNOWN)" is refused at the
# bedside; the audit's back-filling (an auditor) may record it.


def _not_given(by: dict[str, str], code: str) -> list[dict[str, Any]]:
    return [
        *_discuss_case({"name": "Dr Jo Consultant", "role": "obstetrician"})[:1],
        line("decide", "2024-11-08T09:50", by=REGISTRAR, give=False),
        line("not-given", "2024-11-08T09:55", by=by, reason_code=code),
    ]


def test_wc27_unknown_is_refused_at_the_bedside(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = record(
        capsys, tmp_path / "ward.sqlite3", _not_given(MIDWIFE, "UNKNOWN"), tmp_path
    )

    assert code != 0
    assert "back-filling only" in err and "NG-SENIOR-DECISION" in err


def test_wc27_unknown_may_be_back_filled_by_an_auditor_and_the_senior_reason_at_the_bedside(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    auditor = {"name": "Alex Auditor", "role": "auditor"}

    back_filled, _, err1 = record(
        capsys, tmp_path / "a.sqlite3", _not_given(auditor, "UNKNOWN"), tmp_path
    )
    bedside, _, err2 = record(
        capsys, tmp_path / "b.sqlite3", _not_given(MIDWIFE, "NG-SENIOR-DECISION"), tmp_path
    )

    assert (back_filled, bedside) == (0, 0), (err1, err2)
