"""An export verifies the record in full (``mgso4 verify``'s check: minutes at 100,000
episodes) unless this session already did so on exactly the same bytes with the same keys and
witnesses: then, and only then, the earlier check stands (``PassedVerification``).

Each test changes one thing the reuse depends on and shows that the full check runs again, or,
for a tampered file, that the export is refused as it would be without any reuse.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from audit_builders import AUDITOR

from mgso4.audit.export import ExportResult, PassedVerification, check_record, export_csv
from mgso4.audit.progress import AuditError
from mgso4.storage import Store
from mgso4.storage.signing import Anchors
from mgso4.storage.verify import VerifyReport

AT = datetime(2026, 12, 6, 16, 2, tzinfo=UTC)
REASON = "Review of the January births for the perinatal morbidity meeting"


def about_file(dictionary: Path) -> dict[str, str]:
    """The "About this export" block of a CSV export's dictionary, by label."""
    with dictionary.open(encoding="utf-8-sig", newline="") as handle:
        rows = [row for row in csv.reader(handle) if len(row) == 2]
    return {label: value for label, value in rows}


def about(result: ExportResult) -> dict[str, str]:
    return about_file(result.extra_paths[0])


@pytest.fixture
def record(small_demo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "record.sqlite3"
    shutil.copy(small_demo, copy)
    return copy


@pytest.fixture
def full_checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The records verified in full during the test, in order."""
    checked: list[str] = []
    real = Store.verify

    def counted(self: Store, anchors: Anchors | None = None) -> VerifyReport:
        checked.append(str(self.path))
        return real(self, anchors)

    monkeypatch.setattr(Store, "verify", counted)
    return checked


def export(record: Path, out: Path, key: bytes, **options: Any) -> ExportResult:
    return export_csv(record, out, key=key, clock=lambda: AT, **options)


def first_export(record: Path, tmp_path: Path, key: bytes, **options: Any) -> ExportResult:
    result = export(record, tmp_path / "first.csv", key, remember_verification=True, **options)
    assert result.passed_verification is not None
    return result


def test_a_second_export_of_the_unchanged_file_reuses_the_full_check(
    record: Path, tmp_path: Path, key: bytes, full_checks: list[str]
) -> None:
    first = first_export(record, tmp_path, key)

    second = export(
        record, tmp_path / "second.csv", key, reuse_verification=first.passed_verification
    )

    assert full_checks == [str(record)]  # once, for the first export
    assert second.verified
    assert second.passed_verification == first.passed_verification
    words = about(second)["Record verification"]
    assert words.startswith("passed (integrity, hash chains and signatures)")
    assert "checked in full at 2026-12-06 16:02 UTC in this session" in words
    assert "byte-for-byte the same" in words
    assert (tmp_path / "second.csv").read_bytes() == (tmp_path / "first.csv").read_bytes()


def test_a_full_check_is_offered_for_reuse_only_when_the_caller_keeps_it(
    record: Path, tmp_path: Path, key: bytes
) -> None:
    result = export(record, tmp_path / "a.csv", key)

    assert result.verified
    assert result.passed_verification is None
    assert about(result)["Record verification"] == (
        "passed (integrity, hash chains and signatures)"
    )


def test_a_tampered_file_is_refused_although_it_passed_before(
    record: Path, tmp_path: Path, key: bytes
) -> None:
    first = first_export(record, tmp_path, key)
    with sqlite3.connect(record) as raw:
        raw.execute("DROP TRIGGER event_no_update")
        raw.execute("UPDATE event SET occurred_at = '2026-01-05T07:00:00.000000Z' WHERE seq = 3")

    with pytest.raises(AuditError, match="does not pass verification"):
        export(record, tmp_path / "b.csv", key, reuse_verification=first.passed_verification)
    assert not (tmp_path / "b.csv").exists()


def test_a_new_entry_means_the_full_check_again(
    record: Path, tmp_path: Path, key: bytes, full_checks: list[str]
) -> None:
    first = first_export(record, tmp_path, key)
    assert first.passed_verification is not None
    # An identifiable export writes its log entry into the record: the file has changed.
    logged = export(
        record,
        tmp_path / "case-IDENTIFIABLE.csv",
        key,
        level="identifiable",
        purpose="case-review",
        reason=REASON,
        recorded_by=AUDITOR,
        reuse_verification=first.passed_verification,
    )
    assert logged.exported_event_uuid is not None

    third = export(
        record,
        tmp_path / "third.csv",
        key,
        reuse_verification=first.passed_verification,
        remember_verification=True,
    )

    assert full_checks == [str(record), str(record)]  # not for the identifiable export
    assert third.passed_verification is not None
    assert third.passed_verification.fingerprint != first.passed_verification.fingerprint
    assert "in this session" not in about(third)["Record verification"]


def test_other_keys_or_witnesses_mean_the_full_check_again(
    record: Path, tmp_path: Path, key: bytes, full_checks: list[str]
) -> None:
    held_here = Anchors.local([])  # the test run's config folder holds the demo's keys
    first = first_export(record, tmp_path, key, anchors=held_here)
    one_more_trusted = replace(
        held_here, trusted={**held_here.trusted, ("another-ward-pc", "ab" * 32): 12}
    )
    assert one_more_trusted.digest() != held_here.digest()

    export(
        record,
        tmp_path / "b.csv",
        key,
        anchors=one_more_trusted,
        reuse_verification=first.passed_verification,
    )
    export(
        record,
        tmp_path / "c.csv",
        key,
        anchors=Anchors.local([]),
        reuse_verification=first.passed_verification,
    )

    assert full_checks == [str(record), str(record)]  # the same anchors again: reused
    assert about_file(tmp_path / "c.dictionary.csv")["Record verification"].startswith(
        "passed (integrity, hash chains and signatures, keys and witnesses); checked in full"
    )


def test_another_file_with_the_same_bytes_is_checked_in_full(
    record: Path, tmp_path: Path, key: bytes, full_checks: list[str]
) -> None:
    first = first_export(record, tmp_path, key)
    twin = tmp_path / "twin.sqlite3"
    shutil.copy(record, twin)

    export(twin, tmp_path / "b.csv", key, reuse_verification=first.passed_verification)

    assert full_checks == [str(record), str(twin)]


def test_a_file_that_changes_during_the_check_is_not_offered_for_reuse(
    record: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Store.verify

    def changing(self: Store, anchors: Anchors | None = None) -> VerifyReport:
        report = real(self, anchors)
        with record.open("ab") as handle:  # a byte more while the check ran
            handle.write(b"\0")
        return report

    monkeypatch.setattr(Store, "verify", changing)

    checked = check_record(record, allow_unverified=False, remember=True)

    assert checked.verified
    assert checked.passed is None


@pytest.mark.parametrize(
    "change",
    [
        lambda p: replace(p, fingerprint="0" * 64),
        lambda p: replace(p, anchors="other anchors"),
        lambda p: replace(p, record=p.record + "-elsewhere"),
    ],
    ids=["fingerprint", "anchors", "record"],
)
def test_a_remembered_check_that_differs_in_anything_is_not_used(
    record: Path,
    full_checks: list[str],
    change: Callable[[PassedVerification], PassedVerification],
) -> None:
    passed = check_record(record, allow_unverified=False, remember=True).passed
    assert passed is not None
    assert check_record(record, allow_unverified=False, reuse=passed).passed == passed
    assert len(full_checks) == 1

    check_record(record, allow_unverified=False, reuse=change(passed))

    assert len(full_checks) == 2
