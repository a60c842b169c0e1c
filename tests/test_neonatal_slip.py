"""The neonatal data slip agrees with the audit: both read ``core.outcome.baby_classes``.

Episodes are recorded with ``mgso4 record`` (the same registry as the screen), the slip is
printed with ``mgso4 proforma --slip``, and the audit reads the same record with its own SQL
reader (``load_audit_data``). For every baby the slip's "MgSO₄ before delivery" and "within
the 24 h before birth" must equal what the audit counts.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from test_cli_episode import CHECKER, REGISTRAR, line, record, wc1

from mgso4.audit.data import load_audit_data
from mgso4.cli import main
from mgso4.core.outcome import AnznnCode
from mgso4.reports.slip import slip_facts
from mgso4.storage import Store


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MGSO4_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("MGSO4_DATA_DIR", str(tmp_path / "data"))


def given_then_born(alias: str, birth_at: str, babies: int = 1) -> list[dict[str, Any]]:
    lines = [dict(item, episode=alias) for item in wc1(babies)]
    lines += [line("birth", birth_at, episode=alias, baby=n) for n in range(1, babies + 1)]
    lines.append(line("stop", birth_at[:-2] + "59", episode=alias, reason="birth"))
    return lines


def not_given_then_born(alias: str) -> list[dict[str, Any]]:
    first = dict(wc1()[0], episode=alias)
    return [
        first,
        line(
            "not-given", "2024-12-03T09:50", episode=alias, by=REGISTRAR, reason_code="NG-IMMINENT"
        ),
        line("birth", "2024-12-03T10:20", episode=alias, baby=1),
    ]


def slip_text(capsys: pytest.CaptureFixture[str], db: Path, uuid: str, out: Path) -> str:
    code = main(["proforma", "--slip", "--db", str(db), "--episode", uuid, "--out", str(out)])
    capsys.readouterr()
    assert code == 0
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_slip_and_audit_agree_for_every_baby(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "record.db"
    lines = (
        given_then_born("wc1", "2024-12-03T16:00")  # 6 h after the load: within 24 h
        + given_then_born("twins", "2024-12-03T12:30", babies=2)
        + not_given_then_born("none")
    )
    code, out, err = record(capsys, db, lines, tmp_path)
    assert code == 0, err
    aliases = json.loads(out)
    audit = {(row.ref.episode_uuid, row.ref.baby): row for row in load_audit_data(db).rows}
    checked = 0
    with Store.open(db, readonly=True) as store:
        for alias, uuid in aliases.items():
            state = store.episode(uuid)
            protocol_facts = slip_facts(state, _protocol(state.protocol_id))
            text = slip_text(capsys, db, uuid, tmp_path / f"{alias}.pdf")
            for facts in protocol_facts:
                row = audit[(uuid, facts.baby)]
                assert row.classification is not None
                assert facts.given_before_birth == row.given_before_birth
                assert facts.given_within_24h == (
                    row.classification.anznn
                    not in (AnznnCode.NOT_GIVEN, AnznnCode.STOPPED_OVER_24H_BEFORE_BIRTH)
                )
                if row.classification.nnap.eligible:
                    assert facts.given_within_24h == row.classification.nnap.met
                assert f"Baby {facts.baby} of" in text
                checked += 1
            if alias == "none":
                assert "MgSO₄ before delivery NO" in text
                assert "NG-IMMINENT" in text
            else:
                assert "MgSO₄ before delivery YES" in text
                assert "Given within the 24 h before birth YES" in text
    assert checked == 4


def test_slip_needs_a_birth(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "record.db"
    code, out, _ = record(capsys, db, wc1(), tmp_path)
    assert code == 0
    uuid = json.loads(out)["wc1"]
    code = main(
        ["proforma", "--slip", "--db", str(db), "--episode", uuid, "--out", str(tmp_path / "s.pdf")]
    )
    _, err = capsys.readouterr()
    assert code != 0
    assert "No birth is recorded yet" in err


def _protocol(protocol_id: str):
    from mgso4.core.protocol import ProtocolLibrary
    from mgso4.resources import resource_path

    return ProtocolLibrary(resource_path("protocols")).load(protocol_id)


assert CHECKER  # the shared fixtures' people
