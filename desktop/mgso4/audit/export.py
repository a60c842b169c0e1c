"""Per-baby exports: CSV, XLSX and a FHIR R4 Bundle, at one of three named levels.

**Shareable (the default; for anything that leaves the unit).** No clock time and no date finer
than a month: intervals instead (hours from load to birth, from assessment to birth), the birth
month, the gestation band. No NHS/CHI number, pseudonym, record key, unit, workstation or free
text. Small cells are suppressed: a birth month shared by fewer than ``suppress_below`` babies of
the same band is withheld, and then a band shared by fewer. The ICO's anonymisation guidance
asks whether anyone could single a person out "by means reasonably likely to be used"
(docs/auditor-guide.md); a handful of preterm births a month with exact times and the unit's
name could be, so exact times never leave the unit. FHIR carries clock times by design, so a
FHIR export is never shareable.

**Pseudonymised (the unit's own audit).** The NHS/CHI number is replaced by a keyed pseudonym
(``audit.pseudonym``: HMAC-SHA256 with the installation's key, which is never written to the
database or the export); names and free text are dropped; the mother's date of birth is reduced
to the year. Birth, load and stop times stay: they are what is audited. This is still personal
data and stays within the unit.

**Identifiable** exports need a purpose from :class:`ExportPurpose` and a reason of substance
(:func:`recorded_reason`), the name of the person exporting, and a file name ending
``-IDENTIFIABLE`` so the file cannot be mistaken for another. Each is recorded in the record as
an ``exported`` event (no episode; payload: format, identifiable, "purpose: reason", rows)
*before* the file gets its name, so an identifiable file never exists without its log entry.

**A record that fails verification is not exported** unless the caller allows it
(``allow_unverified``, ``mgso4 export --allow-unverified``); the export then says so in its
"About this export" block. The check is the whole of ``mgso4 verify`` and takes minutes for a
record of 100,000 episodes, so an app that exported a record keeps the result in memory
(:class:`PassedVerification`) and the next export in the same session skips the check only
while the file, its write-ahead log and any journal are byte-for-byte what was verified and
this computer's keys and witnesses are the same; a changed byte means the full check again.

**All or nothing.** Every file is written under a temporary name in the target folder and moved
into place when complete (``audit.progress.atomic_outputs``); cancel or an error leaves no file
(and no half-written one). A record, a backup or a database journal is never replaced.

Columns and their mapping to PERIPrem and NNAP are in ``audit.dictionary``; the dictionary goes
with every export (an XLSX sheet, or ``<name>.dictionary.csv`` beside a CSV), with an "About this
export" block: when, which record, the chain heads, the pseudonym key id, the selection and the
counting unit.

Spreadsheet safety (every text cell, including the dictionary and the "About" block): text that
a spreadsheet could take for a formula — starting with ``=``, ``+``, ``-``, ``@``, their
full-width forms ``＝ ＋ － ＠``, or any of these after leading spaces, tabs or line breaks — is
prefixed with an apostrophe. In XLSX, dates and times are real dates with a date format (local
times as shown on the ward; UTC columns in UTC), so auditors can filter and subtract them.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import uuid as uuid_module
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal
from zoneinfo import ZoneInfo

from mgso4 import __version__
from mgso4.audit.data import AuditData, StoreOrPath, load_audit_data
from mgso4.audit.dictionary import COLUMNS, DICTIONARY_HEADER, columns_for, dictionary_rows
from mgso4.audit.facts import (
    BAND_CUT_POINTS,
    UNKNOWN_REASON_CODE,
    BabyRow,
    CourseFacts,
    EpisodeFacts,
    ReasonBook,
    ReasonInfo,
)
from mgso4.audit.metrics import COUNTING_UNIT, Filters, select_rows
from mgso4.audit.progress import (
    AuditError,
    ProgressCallback,
    atomic_outputs,
    check_cancel,
    collector_paused,
    report,
)
from mgso4.audit.pseudonym import PSEUDONYM_SYSTEM, check_key, key_id, pseudonym
from mgso4.audit.sql import chain_heads
from mgso4.core.episode import Actor, EventDraft, EventType, Exported, ProtocolRef
from mgso4.core.outcome import Classification
from mgso4.core.protocol import DEFAULT_PROTOCOL_ID, ProtocolLibrary
from mgso4.core.timeutil import LONDON, utcnow
from mgso4.resources import resource_path
from mgso4.storage import Store, open_record
from mgso4.storage.spec import as_record_path, is_server_spec
from mgso4.storage.verify import record_fingerprint

if TYPE_CHECKING:
    from mgso4.storage.signing import Anchors

ExportFormat = Literal["csv", "xlsx", "fhir"]


class ExportLevel(StrEnum):
    """How much of a person an export can show (see the module docstring)."""

    SHAREABLE = "shareable"
    PSEUDONYMISED = "pseudonymised"
    IDENTIFIABLE = "identifiable"


class ExportPurpose(StrEnum):
    """Why an identifiable export is needed: one of these, plus a reason in words."""

    CASE_REVIEW = "case-review"
    INCIDENT_INVESTIGATION = "incident-investigation"
    REGIONAL_AUDIT = "regional-audit"
    NATIONAL_AUDIT = "national-audit"
    COMPLAINT_OR_LEGAL = "complaint-or-legal"
    DATA_QUALITY = "data-quality-correction"

    @property
    def label(self) -> str:
        """Plain words, as recorded."""
        return _PURPOSE_LABELS[self]


_PURPOSE_LABELS: Final = {
    ExportPurpose.CASE_REVIEW: "case review",
    ExportPurpose.INCIDENT_INVESTIGATION: "incident investigation",
    ExportPurpose.REGIONAL_AUDIT: "regional audit (e.g. PERIPrem, neonatal network)",
    ExportPurpose.NATIONAL_AUDIT: "national audit submission (e.g. NNAP)",
    ExportPurpose.COMPLAINT_OR_LEGAL: "complaint or legal request",
    ExportPurpose.DATA_QUALITY: "correcting the record's data",
}
#: A reason of substance: at least this many characters and words of letters.
MIN_REASON_CHARACTERS: Final = 20
MIN_REASON_WORDS: Final = 3
#: The end of every identifiable export's file name (before the extension).
IDENTIFIABLE_MARK: Final = "-IDENTIFIABLE"
#: Small-cell threshold of a shareable export: fewer babies than this sharing a birth month
#: (then a gestation band) are not shown with it. A local setting (UNVERIFIED): 5 is a common
#: choice in UK health statistics; a unit may ask its information governance lead for another.
DEFAULT_SUPPRESS_BELOW: Final = 5

#: Format names recorded in ``exported`` events.
EVENT_FORMATS: Final[dict[ExportFormat, str]] = {
    "csv": "csv",
    "xlsx": "xlsx",
    "fhir": "fhir-r4-bundle",
}
_EXTENSIONS: Final[dict[ExportFormat, str]] = {"csv": "csv", "xlsx": "xlsx", "fhir": "json"}
#: UK Core MedicationAdministration profile (HL7 UK, version 2.2.0, FHIR 4.0.1), from
#: NHSDigital/FHIR-R4-UKCORE-STAGING-MAIN structuredefinitions/UKCore-MedicationAdministration.xml.
UKCORE_MEDICATION_ADMINISTRATION: Final = (
    "https://fhir.hl7.org.uk/StructureDefinition/UKCore-MedicationAdministration"
)
#: NHS Number identifier system used across UK Core and NHS England FHIR APIs.
NHS_NUMBER_SYSTEM: Final = "https://fhir.nhs.uk/Id/nhs-number"
#: No sourced FHIR system URI for the CHI number was found: a local URN is used (UNVERIFIED).
CHI_NUMBER_SYSTEM: Final = "urn:mgso4-proforma:id:chi-number"
MISSED_REASON_SYSTEM: Final = "urn:mgso4-proforma:CodeSystem:missed-reason"
ADMINISTRATION_ID_SYSTEM: Final = "urn:mgso4-proforma:medication-administration"
UCUM: Final = "http://unitsofmeasure.org"
#: The medicine as text only: no SNOMED CT or dm+d code for magnesium sulfate could be cited
#: from a source read for this project, so none is sent (a receiving system can code it).
MEDICATION_TEXT: Final = "Magnesium sulfate (intravenous)"
#: Stop reasons after which the course ended as intended (status "completed").
_COMPLETED_STOPS: Final = frozenset({"birth", "24h-reached"})
_ROWS_PER_CHECK: Final = 500
#: Characters that make a spreadsheet read text as a formula (with their full-width forms).
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
#: What a spreadsheet skips before looking for a formula sign.
_LEADING_BLANKS: Final = " \t\r\n\u3000\u00a0"
_KINDS: Final = {column.name: column.kind for column in COLUMNS}

Value = str | int | float | None


def suggested_file_name(
    level: ExportLevel | str, export_format: ExportFormat, on: date | None = None
) -> str:
    """The file name offered for an export, naming its level (identifiable in capitals)."""
    chosen = ExportLevel(level)
    stamp = (on or utcnow().date()).isoformat()
    mark = IDENTIFIABLE_MARK if chosen is ExportLevel.IDENTIFIABLE else f"-{chosen.value}"
    kind = "-fhir" if export_format == "fhir" else ""
    return f"mgso4-audit{kind}-{stamp}{mark}.{_EXTENSIONS[export_format]}"


def dictionary_path_for(out: Path | str) -> Path:
    """Where a CSV export's data dictionary goes: ``<name>.dictionary.csv`` beside it."""
    out = Path(out)
    return out.with_name(f"{out.stem}.dictionary.csv")


def recorded_reason(purpose: ExportPurpose | str | None, reason: str | None) -> str:
    """The purpose and reason of an identifiable export as recorded ("case review: …").

    Raises:
        AuditError: no purpose from the list, or a reason without substance (fewer than
            :data:`MIN_REASON_CHARACTERS` characters or :data:`MIN_REASON_WORDS` words).
    """
    choices = ", ".join(p.value for p in ExportPurpose)
    try:
        chosen = ExportPurpose(purpose) if purpose else None
    except ValueError:
        chosen = None
    if chosen is None:
        raise AuditError(
            f"An identifiable export needs its purpose, one of: {choices}. Nothing was exported."
        )
    text = " ".join((reason or "").split())
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(text) < MIN_REASON_CHARACTERS or len(set(w.lower() for w in words)) < MIN_REASON_WORDS:
        raise AuditError(
            "An identifiable export needs a reason of substance: say in a sentence what it is "
            f"for (at least {MIN_REASON_CHARACTERS} characters and {MIN_REASON_WORDS} words, e.g. "
            "“review of the March births for the perinatal meeting”). Nothing was exported."
        )
    return f"{chosen.label}: {text}"


def check_file_name(out: Path, level: ExportLevel) -> None:
    """An identifiable file's name ends ``-IDENTIFIABLE``; no other file's name says so.

    Raises:
        AuditError: naming the file name to use.
    """
    marked = out.stem.endswith(IDENTIFIABLE_MARK)
    if level is ExportLevel.IDENTIFIABLE and not marked:
        raise AuditError(
            f"An identifiable export's file name must end {IDENTIFIABLE_MARK} so it cannot be "
            f"mistaken for another: e.g. {out.stem}{IDENTIFIABLE_MARK}{out.suffix}. Nothing was "
            "exported."
        )
    if level is not ExportLevel.IDENTIFIABLE and "IDENTIFIABLE" in out.stem.upper():
        raise AuditError(
            f"{out.name} says IDENTIFIABLE but this export is {level.value}; choose another "
            "name. Nothing was exported."
        )


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote."""

    format: ExportFormat
    path: Path
    rows: int
    identifiable: bool
    key_id: str
    chain_heads: dict[str, str]
    extra_paths: tuple[Path, ...] = ()
    exported_event_uuid: str | None = None
    level: ExportLevel = ExportLevel.PSEUDONYMISED
    verified: bool = True
    #: The full verification this export ran and passed on an unchanged file, for the next
    #: export of the session to reuse (``ExportRequest.reuse_verification``); None otherwise.
    passed_verification: PassedVerification | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "format": self.format,
            "level": self.level.value,
            "path": str(self.path),
            "extra_paths": [str(p) for p in self.extra_paths],
            "rows": self.rows,
            "identifiable": self.identifiable,
            "key_id": self.key_id,
            "chain_heads": dict(self.chain_heads),
            "exported_event_uuid": self.exported_event_uuid,
            "record_verified": self.verified,
        }


@dataclass(frozen=True)
class ExportRequest:
    """What an export is asked for, the same for the CSV, XLSX and FHIR exporters.

    Every exporter takes one (or the same names as keywords: ``export_csv(path, out,
    key=k, level="pseudonymised")``).

    Attributes:
        level: shareable (the default; FHIR: pseudonymised), pseudonymised or identifiable.
        identifiable: The same as ``level="identifiable"``.
        purpose: Why an identifiable export is needed (:class:`ExportPurpose`).
        reason: That purpose in words, of substance (:func:`recorded_reason`).
        key: The pseudonym key (``audit.pseudonym.load_or_create_key()``).
        progress: ``progress(stage, done, total)``.
        cancel: ``threading.Event`` or callable; cancel leaves no file.
        date_from: First local birth date to include (inclusive), or None.
        date_to: Last local birth date to include (inclusive), or None.
        filters: Band, outcome, workstation and training filters.
        tz: Display zone for local times.
        recorded_by: Who is exporting (required for an identifiable export).
        protocol: Protocol reference stored with the ``exported`` event (default: the shipped
            default protocol).
        data: Already-loaded audit data of the same record (skips reading it again).
        clock: Source of "now" (UTC).
        suppress_below: Shareable exports: the small-cell threshold (at least 1).
        allow_unverified: Export even if the record fails verification (the file says so).
        anchors: Keys and witnesses from outside the record for its verification.
        reuse_verification: A verification this session ran in full and the record passed
            (an earlier ``ExportResult.passed_verification``): not repeated when the file and
            the anchors are unchanged since (:func:`check_record`).
        remember_verification: Offer a full verification that passes for reuse
            (``ExportResult.passed_verification``), for a caller that keeps it.
    """

    level: ExportLevel | str | None = None
    identifiable: bool = False
    purpose: ExportPurpose | str | None = None
    reason: str | None = None
    key: bytes = b""
    progress: ProgressCallback | None = None
    cancel: object | None = None
    date_from: date | None = None
    date_to: date | None = None
    filters: Filters | None = None
    tz: ZoneInfo = LONDON
    recorded_by: Actor | None = None
    protocol: ProtocolRef | None = None
    data: AuditData | None = None
    clock: Callable[[], datetime] = utcnow
    suppress_below: int = DEFAULT_SUPPRESS_BELOW
    allow_unverified: bool = False
    anchors: Anchors | None = None
    reuse_verification: PassedVerification | None = None
    remember_verification: bool = False

    @classmethod
    def of(cls, request: ExportRequest | None, options: dict[str, Any]) -> ExportRequest:
        """The request given, with keyword options over it.

        Raises:
            TypeError: an option that is not a field of the request.
        """
        return replace(request or cls(), **options)


@dataclass
class _Job:
    """Everything an export needs, checked before any file is touched."""

    store_or_path: StoreOrPath
    path: Path
    out: Path
    level: ExportLevel
    reason: str
    key: bytes
    tz: ZoneInfo
    rows: list[BabyRow]
    reasons: ReasonBook
    heads: dict[str, str]
    suppress_below: int = DEFAULT_SUPPRESS_BELOW
    verification: str = "passed"
    verified: bool = True
    passed: PassedVerification | None = None
    about: list[tuple[str, str]] = field(default_factory=list)
    recorded_by: Actor | None = None
    protocol: ProtocolRef | None = None
    now: datetime = field(default_factory=utcnow)

    @property
    def identifiable(self) -> bool:
        """Names and identifiers included."""
        return self.level is ExportLevel.IDENTIFIABLE


# --- public entry points ------------------------------------------------------------------------


def export_csv(
    store_or_path: StoreOrPath,
    out: Path | str,
    request: ExportRequest | None = None,
    /,
    **options: Any,
) -> ExportResult:
    """Write the per-baby CSV (UTF-8 with BOM, for spreadsheets) and ``<name>.dictionary.csv``.

    Args:
        store_or_path: The record (an open store, or a path read read-only).
        out: The CSV file to write; replaced only when the export is complete.
        request: What is asked (:class:`ExportRequest`: level, purpose and reason, key,
            selection, who exports…).
        options: The request's fields as keywords (over ``request``).

    Raises:
        AuditError: refused (identifiable without a purpose, reason, name or marked file name;
            a record that fails verification; bad key; no folder; a record as the target).
        Cancelled: the caller cancelled; no file was written.
        mgso4.storage.StoreError: the record cannot be read, or the event cannot be saved.
    """
    asked = ExportRequest.of(request, options)
    out = Path(out)
    job = _prepare(store_or_path, out, "csv", asked)
    dictionary_path = dictionary_path_for(out)
    columns = [column.name for column in columns_for(level=job.level.value)]
    with atomic_outputs(out, dictionary_path) as (temporary, temporary_dictionary):
        with temporary.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for values in _rows_for(job, asked.progress, asked.cancel):
                writer.writerow([_csv_cell(values[name]) for name in columns])
        with temporary_dictionary.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(DICTIONARY_HEADER)
            for entry in dictionary_rows(level=job.level.value):
                writer.writerow([_csv_cell(value) for value in entry])
            writer.writerow([])
            writer.writerow(["About this export", ""])
            for about_entry in job.about:
                writer.writerow([_csv_cell(value) for value in about_entry])
        check_cancel(asked.cancel, "The export")
        event_uuid = _record_if_identifiable(job, "csv")
    return _result(job, "csv", event_uuid, extra=(dictionary_path,))


def export_xlsx(
    store_or_path: StoreOrPath,
    out: Path | str,
    request: ExportRequest | None = None,
    /,
    **options: Any,
) -> ExportResult:
    """Write the per-baby XLSX: sheets "Babies", "Data dictionary" and "About this export".

    Dates and times are real spreadsheet dates with a date format. Arguments, refusals and
    all-or-nothing behaviour are those of :func:`export_csv`.
    """
    from openpyxl import Workbook  # imported here: only exports need it

    asked = ExportRequest.of(request, options)
    out = Path(out)
    job = _prepare(store_or_path, out, "xlsx", asked)
    columns = [column.name for column in columns_for(level=job.level.value)]
    workbook = Workbook(write_only=True)
    babies = workbook.create_sheet("Babies")
    babies.freeze_panes = "A2"
    babies.append(columns)
    for values in _rows_for(job, asked.progress, asked.cancel):
        babies.append([_xlsx_typed_cell(babies, name, values[name], job.tz) for name in columns])
    dictionary = workbook.create_sheet("Data dictionary")
    dictionary.append(list(DICTIONARY_HEADER))
    for dictionary_entry in dictionary_rows(level=job.level.value):
        dictionary.append([_xlsx_cell(value) for value in dictionary_entry])
    about = workbook.create_sheet("About this export")
    about.append(["About this export", ""])
    for about_entry in job.about:
        about.append([_xlsx_cell(value) for value in about_entry])
    with atomic_outputs(out) as (temporary,):
        workbook.save(temporary)
        check_cancel(asked.cancel, "The export")
        event_uuid = _record_if_identifiable(job, "xlsx")
    return _result(job, "xlsx", event_uuid)


def export_fhir(
    store_or_path: StoreOrPath,
    out: Path | str,
    request: ExportRequest | None = None,
    /,
    **options: Any,
) -> ExportResult:
    """Write a FHIR R4 Bundle (type "collection") of MedicationAdministration resources (JSON).

    FHIR resources carry clock times, so a FHIR export is pseudonymised (the default here) or
    identifiable, never shareable. One resource per recorded course of the selected babies'
    mothers (status "completed" when it stopped at birth or at 24 h, "stopped" when stopped for
    another reason — the reason in a note — and "in-progress" when still running), and one
    "not-done" resource with a coded ``statusReason`` for a mother given none. Shaped on UK Core
    MedicationAdministration (``meta.profile``); the medicine is given as text only (no SNOMED
    CT code could be cited). Built and validated with ``fhir.resources`` — its ``R4B`` models,
    because fhir.resources 8 ships R5 at the top level plus R4B and STU3 and has no separate R4
    package; MedicationAdministration is unchanged between R4 (4.0.1) and R4B (4.3.0) for every
    element used here. ``rows`` in the result counts resources.

    Arguments, refusals and all-or-nothing behaviour are those of :func:`export_csv`.
    """
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.medicationadministration import MedicationAdministration

    asked = ExportRequest.of(request, options)
    chosen = _level(asked.level, asked.identifiable, default=ExportLevel.PSEUDONYMISED)
    if chosen is ExportLevel.SHAREABLE:
        raise AuditError(
            "A FHIR export carries clock times and a patient reference, so it cannot be "
            "shareable: choose CSV or XLSX to share outside the unit, or a pseudonymised FHIR "
            "export for use within it. Nothing was exported."
        )
    out = Path(out)
    job = _prepare(store_or_path, out, "fhir", replace(asked, level=chosen, identifiable=False))
    episodes = _episodes_of(job.rows)
    stage = "Building FHIR resources"
    entries: list[dict[str, Any]] = []
    for index, episode in enumerate(episodes, start=1):
        if index % _ROWS_PER_CHECK == 0:
            check_cancel(asked.cancel, "The export")
            report(asked.progress, stage, index, len(episodes))
        for resource in _administrations(job, episode):
            validated = MedicationAdministration.model_validate(resource)
            entries.append(
                {
                    "fullUrl": _full_url(str(resource["id"])),
                    "resource": validated,
                }
            )
    report(asked.progress, stage, len(episodes), len(episodes))
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "timestamp": _utc_text(job.now),
            "meta": {"tag": [{"system": "urn:mgso4-proforma:export", "code": _export_tag(job)}]},
            "entry": entries,
        }
    )
    with atomic_outputs(out) as (temporary,):
        temporary.write_text(bundle.model_dump_json(indent=2), encoding="utf-8")
        check_cancel(asked.cancel, "The export")
        event_uuid = _record_if_identifiable(job, "fhir", rows=len(entries))
    return _result(job, "fhir", event_uuid, rows=len(entries))


# --- preparation --------------------------------------------------------------------------------


def _level(
    level: ExportLevel | str | None,
    identifiable: bool,
    default: ExportLevel = ExportLevel.SHAREABLE,
) -> ExportLevel:
    if identifiable:
        if level is not None and ExportLevel(level) is not ExportLevel.IDENTIFIABLE:
            raise AuditError("identifiable=True contradicts the level asked for.")
        return ExportLevel.IDENTIFIABLE
    if level is None:
        return default
    try:
        return ExportLevel(level)
    except ValueError:
        raise AuditError(
            f"{level!r} is not an export level; choose one of "
            f"{', '.join(item.value for item in ExportLevel)}."
        ) from None


@dataclass(frozen=True)
class PassedVerification:
    """A full verification that a record file passed, as the app remembers it for the rest of
    its session, so that the next export of the same, unchanged file does not repeat it.

    Kept in the app's memory only and never written down (a copy on disk could be edited
    along with the record). It stands for a later export only when the record is the same
    file, byte-for-byte as verified (:func:`~mgso4.storage.verify.record_fingerprint`: the
    file, its write-ahead log and any journal), and this computer's keys and witnesses are
    the same (:meth:`~mgso4.storage.signing.Anchors.digest`): see :func:`check_record`.
    """

    record: str
    fingerprint: str
    anchors: str
    checked: str
    at: datetime


@dataclass(frozen=True)
class RecordCheck:
    """What :func:`check_record` found: passed or not, the words for the output, and what a
    later export may reuse (None unless a full check passed on a file that did not change
    while it was checked)."""

    verified: bool
    words: str
    passed: PassedVerification | None = None


def _fingerprint_of(path: Path) -> str | None:
    """The record file's fingerprint, or None for a server's record or a file not readable
    as bytes (the full check then runs, and says what is wrong with it)."""
    if is_server_spec(path):
        return None
    try:
        return record_fingerprint(path) if path.is_file() else None
    except OSError:
        return None


def _anchors_digest(anchors: Anchors | None) -> str:
    return anchors.digest() if anchors is not None else "no anchors"


def check_record(
    store_or_path: StoreOrPath,
    *,
    allow_unverified: bool,
    anchors: Anchors | None = None,
    reuse: PassedVerification | None = None,
    remember: bool = False,
    clock: Callable[[], datetime] = utcnow,
) -> RecordCheck:
    """Verify the record before anything is read for an export, or reuse a verification that
    this session ran in full on exactly these bytes with exactly these anchors.

    ``reuse`` stands only when its record is this one, the fingerprint of the file taken now
    equals the one taken when it was checked, and the anchors' digest is the same; otherwise
    the full check runs (``mgso4 verify``'s). With ``remember``, a full check that passes is
    offered for reuse when the file's fingerprint was the same before and after it (reading
    the file for a fingerprint costs about a second per gigabyte, so only a caller that keeps
    the result asks).

    Raises:
        AuditError: the record fails verification and ``allow_unverified`` is False.
        mgso4.storage.StoreError: the file is not a record, or cannot be opened.
    """
    path = store_or_path.path if isinstance(store_or_path, Store) else as_record_path(store_or_path)
    record = str(path) if is_server_spec(path) else str(Path(path).resolve())
    anchors_digest = _anchors_digest(anchors)
    before = _fingerprint_of(path) if reuse is not None or remember else None
    if (
        reuse is not None
        and before is not None
        and reuse.record == record
        and reuse.fingerprint == before
        and reuse.anchors == anchors_digest
    ):
        return RecordCheck(
            True,
            f"{reuse.checked}; checked in full at {reuse.at:%Y-%m-%d %H:%M} UTC in this "
            f"session, and the file is byte-for-byte the same since (SHA-256 {before[:16]}…)",
            reuse,
        )
    if isinstance(store_or_path, Store):
        verified = store_or_path.verify(anchors)
    else:
        # Opened as a record first, so a file that is not one is named as such (StoreError).
        with open_record(path, readonly=True) as store:
            verified = store.verify(anchors)
    if verified.ok:
        checked = "passed (integrity, hash chains and signatures" + (
            ", keys and witnesses)" if anchors is not None else ")"
        )
        unchanged = remember and before is not None and _fingerprint_of(path) == before
        passed = (
            PassedVerification(record, before, anchors_digest, checked, clock())
            if unchanged and before is not None
            else None
        )
        return RecordCheck(True, checked, passed)
    first = verified.problems[0] if verified.problems else "unknown problem"
    if not allow_unverified:
        raise AuditError(
            f"The record {path} does not pass verification ({first}), so nothing was exported "
            "or counted from it. Run mgso4 verify on it and tell IT; to go ahead anyway, allow "
            "an unverified record (--allow-unverified) and the output will say so."
        )
    return RecordCheck(False, f"FAILED — used anyway because it was asked for: {first}")


def verification_of(
    store_or_path: StoreOrPath,
    *,
    allow_unverified: bool,
    anchors: Anchors | None = None,
) -> tuple[bool, str]:
    """Verify the record in full before anything is read for a report (:func:`check_record`
    without reuse).

    Returns:
        (verified, what to say about it in the output).

    Raises:
        AuditError: the record fails verification and ``allow_unverified`` is False.
        mgso4.storage.StoreError: the file is not a record, or cannot be opened.
    """
    checked = check_record(store_or_path, allow_unverified=allow_unverified, anchors=anchors)
    return checked.verified, checked.words


def _prepare(
    store_or_path: StoreOrPath, out: Path, export_format: ExportFormat, asked: ExportRequest
) -> _Job:
    level = _level(asked.level, asked.identifiable)
    key, recorded_by, tz = asked.key, asked.recorded_by, asked.tz
    suppress_below, progress, cancel = asked.suppress_below, asked.progress, asked.cancel
    date_from, date_to = asked.date_from, asked.date_to
    purpose, reason, data = asked.purpose, asked.reason, asked.data
    check_key(key)
    if suppress_below < 1:
        raise AuditError(f"The small-cell threshold must be at least 1 (got {suppress_below}).")
    stated_reason = ""
    if level is ExportLevel.IDENTIFIABLE:
        stated_reason = recorded_reason(purpose, reason)
        if recorded_by is None:
            raise AuditError(
                "An identifiable export needs the name and role of the person exporting, for "
                "the record. Nothing was exported."
            )
    elif purpose or reason:
        raise AuditError("A purpose and reason are only recorded for an identifiable export.")
    if not out.parent.is_dir():
        raise AuditError(f"The folder {out.parent} does not exist; choose an existing folder.")
    check_file_name(out, level)
    with collector_paused():  # a million entries are read and checked at 100,000 episodes
        checked = check_record(
            store_or_path,
            allow_unverified=asked.allow_unverified,
            anchors=asked.anchors,
            reuse=asked.reuse_verification,
            remember=asked.remember_verification,
            clock=asked.clock,
        )
    path = store_or_path.path if isinstance(store_or_path, Store) else as_record_path(store_or_path)
    if data is None:
        data = load_audit_data(store_or_path, tz=tz, progress=progress, cancel=cancel)
    filters = asked.filters or Filters()
    rows = select_rows(data.rows, date_from=date_from, date_to=date_to, filters=filters)
    job = _Job(
        store_or_path=store_or_path,
        path=path,
        out=out,
        level=level,
        reason=stated_reason,
        key=bytes(key),
        tz=tz,
        rows=rows,
        reasons=data.reasons,
        heads=chain_heads(path),
        suppress_below=suppress_below,
        verification=checked.words,
        verified=checked.verified,
        passed=checked.passed,
        recorded_by=recorded_by,
        protocol=asked.protocol,
        now=asked.clock(),
    )
    job.about = _about(job, export_format, date_from, date_to, filters)
    return job


_LEVEL_WORDS: Final = {
    ExportLevel.SHAREABLE: (
        "shareable: no clock times and no date finer than a month (intervals, the birth month "
        "and the gestation band instead); no identifier, pseudonym, record key, unit or "
        "workstation; a birth month (then a band) shared by fewer than {k} babies is withheld. "
        "For use outside the unit."
    ),
    ExportLevel.PSEUDONYMISED: (
        "pseudonymised: NHS/CHI number replaced by a keyed HMAC-SHA256 pseudonym; names and "
        "free text dropped; mother's date of birth reduced to the year; times kept. Still "
        "personal data: for the unit's own audit, not to leave the unit."
    ),
    ExportLevel.IDENTIFIABLE: (
        "IDENTIFIABLE: identifiers, names, dates of birth and free text included; recorded in "
        "the record with its purpose and reason."
    ),
}


def _about(
    job: _Job,
    export_format: ExportFormat,
    date_from: date | None,
    date_to: date | None,
    filters: Filters,
) -> list[tuple[str, str]]:
    bands = "; ".join(
        f"{band.value}: day {first} to {last if last is not None else 'end'}"
        for band, first, last in BAND_CUT_POINTS
    )
    shareable = job.level is ExportLevel.SHAREABLE
    words = _LEVEL_WORDS[job.level].format(k=job.suppress_below)
    about: list[tuple[str, str]] = []
    if shareable:
        # Month only: a shareable export holds no date finer than a month, this block included.
        about += [
            ("Exported in (month)", job.now.astimezone(UTC).strftime("%Y-%m")),
            ("Births from (month)", date_from.strftime("%Y-%m") if date_from else "any"),
            ("Births to (month)", date_to.strftime("%Y-%m") if date_to else "any"),
        ]
    else:
        about += [
            ("Exported at (UTC)", _utc_text(job.now) or ""),
            ("Record file", job.path.name),
            ("Birth dates from (local, inclusive)", date_from.isoformat() if date_from else "any"),
            ("Birth dates to (local, inclusive)", date_to.isoformat() if date_to else "any"),
        ]
    about += [
        ("Format", EVENT_FORMATS[export_format]),
        ("App version", __version__),
        ("Level", job.level.value),
        ("Record verification", job.verification),
        ("Counting unit", COUNTING_UNIT),
        ("Filters", json.dumps(filters.as_dict(), sort_keys=True)),
        ("Babies in this export", str(len(job.rows))),
        ("Gestation bands at birth (inclusive days)", bands),
        ("De-identification", words),
    ]
    if job.identifiable:
        about.append(("Purpose and reason (recorded in the record)", job.reason))
    if shareable:
        about.append(("Small-cell threshold", str(job.suppress_below)))
        about.append(("Record chain heads", ", ".join(sorted(job.heads.values()))))
    else:
        about.append(("Time zone of local times", job.tz.key))
        about.append(("Pseudonym key id (not the key)", key_id(job.key)))
        for workstation_id, head in job.heads.items():
            about.append((f"Chain head, workstation {workstation_id}", head))
    return about


def _record_if_identifiable(
    job: _Job, export_format: ExportFormat, rows: int | None = None
) -> str | None:
    """Record an identifiable export in the record (before the file gets its name)."""
    if not job.identifiable:
        return None
    assert job.recorded_by is not None  # checked in _prepare
    draft = EventDraft.make(
        EventType.EXPORTED,
        Exported(
            format=EVENT_FORMATS[export_format],
            identifiable=True,
            reason=job.reason,
            rows=len(job.rows) if rows is None else rows,
        ),
        episode_uuid=None,
        occurred_at=job.now,
        recorded_by=job.recorded_by,
    )
    protocol = job.protocol or _default_protocol_ref()
    if isinstance(job.store_or_path, Store):
        return job.store_or_path.append(draft, protocol).uuid
    with open_record(job.path) as store:
        return store.append(draft, protocol).uuid


def _default_protocol_ref() -> ProtocolRef:
    protocol = ProtocolLibrary(resource_path("protocols")).load(DEFAULT_PROTOCOL_ID)
    return ProtocolRef(id=protocol.id, version=protocol.version, sha256=protocol.sha256)


def _result(
    job: _Job,
    export_format: ExportFormat,
    event_uuid: str | None,
    *,
    extra: tuple[Path, ...] = (),
    rows: int | None = None,
) -> ExportResult:
    return ExportResult(
        format=export_format,
        path=job.out,
        rows=len(job.rows) if rows is None else rows,
        identifiable=job.identifiable,
        key_id=key_id(job.key),
        chain_heads=dict(job.heads),
        extra_paths=extra,
        exported_event_uuid=event_uuid,
        level=job.level,
        verified=job.verified,
        passed_verification=job.passed,
    )


# --- per-baby values ------------------------------------------------------------------------------


def _rows_for(
    job: _Job, progress: ProgressCallback | None, cancel: object | None
) -> Iterable[dict[str, Value]]:
    """Every row's values, in file order (shareable: sorted, small cells withheld, numbered)."""
    with collector_paused():
        yield from _rows_in_order(job, progress, cancel)


def _rows_in_order(
    job: _Job, progress: ProgressCallback | None, cancel: object | None
) -> Iterable[dict[str, Value]]:
    if job.level is not ExportLevel.SHAREABLE:
        yield from _row_values_iter(job, progress, cancel)
        return
    shown: dict[str, Value] = {}  # shareable text repeats ("Yes", codes, labels): check each once

    def without_times(value: Value) -> Value:
        if not isinstance(value, str):
            return value
        found = shown.get(value)
        if found is None:
            found = shown[value] = _without_times(value)
        return found

    rows = [
        {name: without_times(value) for name, value in values.items()}
        for values in _row_values_iter(job, progress, cancel)
    ]
    rows.sort(key=lambda r: (str(r["birth_month"] or ""), str(r["gestation_band"] or "")))
    suppress_small_cells(rows, job.suppress_below)
    for number, values in enumerate(rows, start=1):
        values["row_number"] = number
        yield values


#: A date or clock time inside text (e.g. a data problem that quotes the times it compared).
_TIME_IN_TEXT: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"
)


def _without_times(value: Value) -> Value:
    """Shareable text never quotes a date or a clock time."""
    if isinstance(value, str):
        return _TIME_IN_TEXT.sub("[time withheld]", value)
    return value


def suppress_small_cells(rows: list[dict[str, Value]], threshold: int) -> None:
    """Withhold the birth month, then the band, of rows fewer than ``threshold`` share.

    After this, every (birth month, band) shown together is shared by at least ``threshold``
    rows; a row whose band alone is that rare shows neither.
    """
    if threshold <= 1:
        return
    by_month = Counter((r["birth_month"], r["gestation_band"]) for r in rows)
    for row in rows:
        if by_month[(row["birth_month"], row["gestation_band"])] < threshold:
            row["birth_month"] = None
            row["withheld"] = f"birth month (fewer than {threshold} births share it)"
    by_band = Counter(r["gestation_band"] for r in rows if r["birth_month"] is None)
    for row in rows:
        if row["birth_month"] is None and by_band[row["gestation_band"]] < threshold:
            row["gestation_band"] = None
            row["withheld"] = f"birth month and gestation band (fewer than {threshold} share them)"


def _row_values_iter(
    job: _Job, progress: ProgressCallback | None, cancel: object | None
) -> Iterable[dict[str, Value]]:
    stage = "Writing rows"
    total = len(job.rows)
    report(progress, stage, 0, total)
    for index, row in enumerate(job.rows, start=1):
        if index % _ROWS_PER_CHECK == 0:
            check_cancel(cancel, "The export")
            report(progress, stage, index, total)
        yield row_values(row, key=job.key, level=job.level, tz=job.tz)
    report(progress, stage, total, total)


def row_values(
    row: BabyRow,
    *,
    key: bytes,
    identifiable: bool = False,
    tz: ZoneInfo,
    level: ExportLevel | str | None = None,
) -> dict[str, Value]:
    """Every column of one baby's export row (only the columns of this level of export).

    The keys are exactly ``columns_for(level=...)`` names, in order. Without a level,
    ``identifiable`` chooses identifiable or pseudonymised. Only those columns are worked out
    (a shareable row computes no pseudonym and no clock time).
    """
    chosen = ExportLevel(level) if level else _level(None, identifiable, ExportLevel.PSEUDONYMISED)
    context = _Context(key=key, tz=tz)
    return {name: getter(row, context) for name, getter in _getters(chosen)}


@dataclass(frozen=True, slots=True)
class _Context:
    key: bytes
    tz: ZoneInfo


_Getter = Callable[[BabyRow, _Context], Value]


def _classified(value: Callable[[Classification], Value]) -> _Getter:
    """A column read from the classification (empty when the row has a data problem)."""
    return lambda row, _: None if row.classification is None else value(row.classification)


def _latest(value: Callable[[CourseFacts, _Context], Value]) -> _Getter:
    """A column read from the latest course started before birth (empty when none)."""
    return lambda row, c: None if row.latest_course is None else value(row.latest_course, c)


def _reason(value: Callable[[ReasonInfo], Value]) -> _Getter:
    """A column read from the review reason (empty when none)."""
    return lambda row, _: None if row.reason is None else value(row.reason)


def _hours_from_assessment(row: BabyRow, _: _Context) -> Value:
    assessed_at = row.episode.assessed_at
    if assessed_at is None or row.birth.born_at is None:
        return None
    return round((row.birth.born_at - assessed_at).total_seconds() / 3600, 1)


def _could_have_been_optimal(cl: Classification) -> Value:
    if not cl.periprem_optimal.eligible:
        return "N/A"
    if cl.periprem_optimal.could_have_been_optimal is None:
        return "Unknown"
    return _yes_no(cl.periprem_optimal.could_have_been_optimal)


#: How each column's value is worked out from a classified row (see ``audit.dictionary``).
_COLUMN_VALUES: Final[dict[str, _Getter]] = {
    "row_number": lambda row, c: None,
    "birth_month": lambda row, c: row.birth_date_local.strftime("%Y-%m"),
    "hours_assessment_to_birth": _hours_from_assessment,
    "withheld": lambda row, c: None,
    "episode_uuid": lambda row, c: row.episode.episode_uuid,
    "baby_number": lambda row, c: row.birth.baby,
    "plurality": lambda row, c: row.episode.plurality,
    "patient_pseudonym": lambda row, c: pseudonym(
        c.key, row.episode.id_type, row.episode.identifier
    ),
    "id_type": lambda row, c: row.episode.id_type,
    "identifier": lambda row, c: row.episode.identifier,
    "patient_name": lambda row, c: row.episode.name,
    "mother_date_of_birth": lambda row, c: (
        None if row.episode.date_of_birth is None else row.episode.date_of_birth.isoformat()
    ),
    "mother_birth_year": lambda row, c: (
        None if row.episode.date_of_birth is None else row.episode.date_of_birth.year
    ),
    "unit_name": lambda row, c: row.episode.unit_name,
    "workstation_id": lambda row, c: row.episode.workstation_id,
    "protocol_id": lambda row, c: row.episode.protocol_id,
    "protocol_version": lambda row, c: row.episode.protocol_version,
    "created_at_utc": lambda row, c: _utc_text(row.episode.created_at),
    "created_at_local": lambda row, c: _local_text(row.episode.created_at, c.tz),
    "assessed_at_utc": lambda row, c: _utc_text(row.episode.assessed_at),
    "assessed_at_local": lambda row, c: _local_text(row.episode.assessed_at, c.tz),
    "eligible_from_utc": lambda row, c: _utc_text(row.eligible_from),
    "situation": lambda row, c: (
        None if row.episode.situation is None else row.episode.situation.value
    ),
    "gestation_at_decision": lambda row, c: (
        None if row.gestation_at_decision is None else row.gestation_at_decision.label
    ),
    "gestation_at_decision_days": lambda row, c: row.episode.gestation_days_at_decision,
    "birth_at_utc": lambda row, c: _utc_text(row.birth.born_at),
    "birth_at_local": lambda row, c: _local_text(row.birth.born_at, c.tz),
    "birth_date_local": lambda row, c: row.birth_date_local.isoformat(),
    "gestation_at_birth": lambda row, c: (
        None if row.birth.gestation is None else row.birth.gestation.label
    ),
    "gestation_at_birth_days": lambda row, c: (
        None if row.birth.gestation is None else row.birth.gestation.total_days
    ),
    "gestation_band": lambda row, c: row.band.value,
    "mgso4_given_before_birth": lambda row, c: _yes_no(row.given_before_birth),
    "courses_recorded": lambda row, c: len(row.episode.courses),
    "all_courses_utc": lambda row, c: " | ".join(
        _course_text(course) for course in row.episode.courses
    ),
    "load_started_at_utc": _latest(lambda course, c: _utc_text(course.load_started_at)),
    "load_started_at_local": _latest(lambda course, c: _local_text(course.load_started_at, c.tz)),
    "maintenance_started_at_utc": _latest(
        lambda course, c: _utc_text(course.maintenance_started_at)
    ),
    "maintenance_started_at_local": _latest(
        lambda course, c: _local_text(course.maintenance_started_at, c.tz)
    ),
    "stopped_at_utc": _latest(lambda course, c: _utc_text(course.stopped_at)),
    "stopped_at_local": _latest(lambda course, c: _local_text(course.stopped_at, c.tz)),
    "stop_reason": _latest(lambda course, c: course.stop_reason),
    "hours_load_to_birth": lambda row, c: row.hours_load_to_birth,
    "nnap_eligible": _classified(lambda cl: _yes_no(cl.nnap.eligible)),
    "nnap_met": _classified(lambda cl: _yes_no_na(cl.nnap.eligible, cl.nnap.met)),
    "qs135_eligible": _classified(lambda cl: _yes_no(cl.qs135.eligible)),
    "qs135_measure": _classified(lambda cl: cl.qs135.measure),
    "qs135_met": _classified(lambda cl: _yes_no_na(cl.qs135.eligible, cl.qs135.met)),
    "bapm_eligible": _classified(lambda cl: _yes_no(cl.bapm_optimal.eligible)),
    "bapm_optimal": _classified(
        lambda cl: _yes_no_na(cl.bapm_optimal.eligible, cl.bapm_optimal.met)
    ),
    "periprem_optimal": _classified(
        lambda cl: _yes_no_na(cl.periprem_optimal.eligible, cl.periprem_optimal.met)
    ),
    "periprem_could_have_been_optimal": _classified(_could_have_been_optimal),
    "periprem_received_any": _classified(
        lambda cl: _yes_no_na(cl.periprem_optimal.eligible, cl.periprem_optimal.received_any)
    ),
    "nnap_excluded": _classified(lambda cl: cl.nnap_excluded),
    "stop_time_missing": _classified(lambda cl: _yes_no(cl.stop_time_missing)),
    "anznn_code": _classified(lambda cl: cl.anznn.value),
    "timing_class": lambda row, c: None if row.timing_class is None else row.timing_class.value,
    "missed_case": lambda row, c: None if row.classification is None else _yes_no(row.missed),
    "review_reason_code": _reason(lambda reason: reason.code),
    "review_reason_label": _reason(lambda reason: reason.label),
    "avoidability": _reason(lambda reason: reason.avoidability.value),
    "avoidable_group": _reason(lambda reason: reason.group),
    "not_given_code_recorded": lambda row, c: row.episode.not_given_code,
    "not_given_at_utc": lambda row, c: _utc_text(row.episode.not_given_at),
    "not_given_at_local": lambda row, c: _local_text(row.episode.not_given_at, c.tz),
    "not_given_text": lambda row, c: row.episode.not_given_text or None,
    "data_problem": lambda row, c: row.problem,
}


@functools.cache
def _getters(level: ExportLevel) -> tuple[tuple[str, _Getter], ...]:
    """The columns of a level with how each is worked out, in file order."""
    return tuple(
        (column.name, _COLUMN_VALUES[column.name]) for column in columns_for(level=level.value)
    )


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def _yes_no_na(eligible: bool, met: bool) -> str:
    return "N/A" if not eligible else _yes_no(met)


def _utc_text(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_text(moment: datetime | None, tz: ZoneInfo) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(tz).isoformat(timespec="seconds")


def _course_text(course: CourseFacts) -> str:
    parts = [
        f"course {course.number}",
        f"load {_utc_text(course.load_started_at) or 'not recorded'}",
        f"maintenance {_utc_text(course.maintenance_started_at) or 'none'}",
        f"stop {_utc_text(course.stopped_at) or 'running'}",
    ]
    if course.stop_reason:
        parts.append(f"({course.stop_reason})")
    return " ".join(parts)


def neutralise(text: str) -> str:
    """Text a spreadsheet will show as text, never run as a formula.

    A formula sign (``= + - @`` or their full-width forms), even after leading spaces, tabs or
    line breaks, gets an apostrophe in front; so does text starting with a tab or a carriage
    return.
    """
    if text.startswith(("\t", "\r")) or text.lstrip(_LEADING_BLANKS).startswith(_FORMULA_STARTS):
        return f"'{text}"
    return text


def _csv_cell(value: Value) -> Value:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return value


def _xlsx_cell(value: Value) -> Value:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        # Control characters cannot be stored in XLSX; they are shown as a visible marker.
        return neutralise(ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value))
    return value


def _xlsx_typed_cell(sheet: Any, name: str, value: Value, tz: ZoneInfo) -> Any:
    """A Babies cell: dates and times as real spreadsheet dates with a date format.

    Spreadsheets have no time zones: a UTC column holds the UTC time, a local column the time
    on the ward clock (as the CSV's local column shows it, without the offset).
    """
    kind = _KINDS.get(name, "text")
    if value is None or kind == "text" or not isinstance(value, str):
        return _xlsx_cell(value)
    from openpyxl.cell import WriteOnlyCell

    if kind == "date":
        cell = WriteOnlyCell(sheet, value=date.fromisoformat(value))
        cell.number_format = "yyyy-mm-dd"
        return cell
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    cell = WriteOnlyCell(sheet, value=moment.replace(tzinfo=None))
    cell.number_format = "yyyy-mm-dd hh:mm:ss"
    return cell


# --- FHIR ---------------------------------------------------------------------------------------


def _episodes_of(rows: Sequence[BabyRow]) -> list[EpisodeFacts]:
    seen: dict[str, EpisodeFacts] = {}
    for row in rows:
        seen.setdefault(row.episode.episode_uuid, row.episode)
    return list(seen.values())


def _full_url(resource_id: str) -> str:
    # A stable urn:uuid per resource, so exporting the same data twice gives the same bundle.
    return f"urn:uuid:{uuid_module.uuid5(uuid_module.NAMESPACE_URL, resource_id)}"


def _export_tag(job: _Job) -> str:
    return "identifiable" if job.identifiable else "pseudonymised"


def _subject(job: _Job, episode: EpisodeFacts) -> dict[str, Any]:
    if not job.identifiable:
        return {
            "identifier": {
                "system": PSEUDONYM_SYSTEM,
                "value": pseudonym(job.key, episode.id_type, episode.identifier),
            }
        }
    system = NHS_NUMBER_SYSTEM if episode.id_type == "nhs" else CHI_NUMBER_SYSTEM
    return {
        "identifier": {"system": system, "value": episode.identifier},
        "display": episode.name,
    }


def _quantity(value: Decimal, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _administrations(job: _Job, episode: EpisodeFacts) -> list[dict[str, Any]]:
    base: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "meta": {"profile": [UKCORE_MEDICATION_ADMINISTRATION]},
        "medicationCodeableConcept": {"text": MEDICATION_TEXT},
        "subject": _subject(job, episode),
        "reasonCode": [{"text": "Fetal neuroprotection before preterm birth"}],
    }
    resources = []
    for course in episode.courses:
        if course.load_started_at is None:
            continue
        if course.stopped_at is None:
            status = "in-progress"
        elif course.stop_reason in _COMPLETED_STOPS:
            status = "completed"
        else:
            status = "stopped"
        period: dict[str, Any] = {"start": _utc_text(course.load_started_at)}
        if course.stopped_at is not None:
            period["end"] = _utc_text(course.stopped_at)
        dosage: dict[str, Any] = {
            "text": _dosage_text(course),
            "route": {"text": "Intravenous"},
        }
        if course.load_dose_g is not None:
            dosage["dose"] = _quantity(course.load_dose_g, "g")
        if course.maintenance_rate_g_per_h is not None:
            dosage["rateQuantity"] = _quantity(course.maintenance_rate_g_per_h, "g/h")
        resource = {
            **base,
            "id": f"{episode.episode_uuid}-c{course.number}",
            "identifier": [
                {
                    "system": ADMINISTRATION_ID_SYSTEM,
                    "value": f"{episode.episode_uuid}/course-{course.number}",
                }
            ],
            "status": status,
            "effectivePeriod": period,
            "dosage": dosage,
        }
        if course.stop_reason is not None:
            resource["note"] = [{"text": f"Stopped: {course.stop_reason}"}]
        resources.append(resource)
    if not resources and (episode.not_given_code is not None or episode.decision_give is False):
        code = episode.not_given_code or UNKNOWN_REASON_CODE
        info = job.reasons.lookup(episode.protocol_id, code)
        when = episode.not_given_at or episode.assessed_at or episode.created_at
        resource = {
            **base,
            "id": f"{episode.episode_uuid}-not-given",
            "identifier": [
                {"system": ADMINISTRATION_ID_SYSTEM, "value": f"{episode.episode_uuid}/not-given"}
            ],
            "status": "not-done",
            "statusReason": [
                {
                    "coding": [
                        {"system": MISSED_REASON_SYSTEM, "code": code, "display": info.label}
                    ],
                    "text": info.label,
                }
            ],
            "effectiveDateTime": _utc_text(when),
        }
        if job.identifiable and episode.not_given_text:
            resource["note"] = [{"text": episode.not_given_text}]
        resources.append(resource)
    return resources


def _dosage_text(course: CourseFacts) -> str:
    parts = []
    if course.load_dose_g is not None:
        parts.append(f"Loading dose {course.load_dose_g} g IV")
    if course.maintenance_rate_g_per_h is not None:
        parts.append(f"then {course.maintenance_rate_g_per_h.normalize():f} g/h IV (initial rate)")
    return ", ".join(parts) or "MgSO₄ course"
