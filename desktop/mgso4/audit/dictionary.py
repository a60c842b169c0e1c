"""The data dictionary of the per-baby export: every column, what it means, and where it maps.

The export has one row per baby. Its columns line up with the PERIPrem optimisation tool [P2]
(reference §2.2) and the NNAP MgSO₄ measure [E1][E2] (reference §4.1) where they overlap. The
exact column headings of the PERIPrem spreadsheet and the NNAP/BadgerNet field names were not
available to read (reference §2.2, §4.1), so the mapping names the *question* each column
answers, not a verbatim heading: **heading wording UNVERIFIED**.

The dictionary goes with every export: a "Data dictionary" sheet in XLSX, and
``<name>.dictionary.csv`` beside a CSV.

Three levels, named for what they are (``audit.export.ExportLevel``):

* **shareable** (the default; for anything that leaves the unit): no clock time and no date
  finer than a month — intervals instead (hours from load to birth), the birth month, the
  gestation band; no identifier, pseudonym, record key, unit or workstation; a birth month (and
  then a band) shared by fewer than the threshold of babies is withheld.
* **pseudonymised** (the unit's own audit): the NHS/CHI number becomes a keyed pseudonym,
  names and free text are dropped, the mother's date of birth is reduced to the year, and every
  time is kept. It is still personal data.
* **identifiable**: names, NHS/CHI numbers, dates of birth and free text; needs a purpose and a
  reason, and is recorded in the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from mgso4.audit.facts import BAND_CUT_POINTS


@dataclass(frozen=True, slots=True)
class Column:
    """One export column.

    Attributes:
        name: Column heading in the file (stable; scripts read it).
        description: What the value is, with units and the values it can take.
        periprem: The PERIPrem optimisation-tool question it answers [P2], or "".
        nnap: The NNAP field it answers [E1][E2], or "".
        identifiable_only: Present only in an identifiable export.
        deidentified_only: Present only in a pseudonymised export.
        shareable: Also present in a shareable export.
        shareable_only: Present only in a shareable export.
        kind: How the value is typed in a spreadsheet: "text", "datetime-utc",
            "datetime-local", "date" (XLSX writes the last three as real dates).
    """

    name: str
    description: str
    periprem: str = ""
    nnap: str = ""
    identifiable_only: bool = False
    deidentified_only: bool = False
    shareable: bool = False
    shareable_only: bool = False
    kind: str = "text"

    def included(self, identifiable: bool, level: str | None = None) -> bool:
        """Whether this column is in an export of the given level ("shareable",
        "pseudonymised", "identifiable"; without a level, identifiable or pseudonymised)."""
        chosen = level or ("identifiable" if identifiable else "pseudonymised")
        if self.identifiable_only:
            return chosen == "identifiable"
        if self.deidentified_only:
            return chosen == "pseudonymised"
        if self.shareable_only:
            return chosen == "shareable"
        return self.shareable or chosen != "shareable"


_YES_NO: Final = "Yes / No"
_YES_NO_NA: Final = "Yes / No / N/A (not eligible)"
_UTC: Final = "UTC, ISO 8601 (YYYY-MM-DDTHH:MM:SSZ); blank if not recorded"
_LOCAL: Final = "local time with zone offset (Europe/London by default), ISO 8601"

_BANDS: Final = "; ".join(
    f"{band.value} = day {first}–{last if last is not None else '…'}"
    for band, first, last in BAND_CUT_POINTS
)

COLUMNS: Final[tuple[Column, ...]] = (
    Column(
        "row_number",
        "Row of this export (1, 2, …), in birth-month and band order: no link to the record.",
        shareable_only=True,
    ),
    Column(
        "birth_month",
        "Local calendar month of the birth, YYYY-MM; blank when withheld (see withheld).",
        shareable_only=True,
    ),
    Column(
        "hours_assessment_to_birth",
        "Hours from the decision-time assessment to birth (real elapsed time, 1 dp).",
        shareable_only=True,
    ),
    Column(
        "withheld",
        "What was withheld from this row because fewer babies than the export's threshold "
        "share it (birth month, then gestation band); blank if nothing.",
        shareable_only=True,
    ),
    Column(
        "episode_uuid", "Record key of the maternal episode (random; not derived from identity)."
    ),
    Column("baby_number", "Baby number within the episode (1; 1 and 2 for twins)."),
    Column("plurality", "Number of babies expected, as recorded at the start of the episode."),
    Column(
        "patient_pseudonym",
        "HMAC-SHA256 of the identifier with this installation's key (64 hex digits); the same "
        "woman has the same pseudonym in every export made with the same key.",
        deidentified_only=True,
    ),
    Column("id_type", "Which identifier was recorded: nhs or chi."),
    Column("identifier", "NHS or CHI number, 10 digits.", identifiable_only=True),
    Column("patient_name", "Name as recorded.", identifiable_only=True),
    Column(
        "mother_date_of_birth",
        "Mother's date of birth, YYYY-MM-DD.",
        identifiable_only=True,
        kind="date",
    ),
    Column("mother_birth_year", "Year of the mother's date of birth (blank if not recorded)."),
    Column("unit_name", "Unit name recorded with the episode."),
    Column("workstation_id", "Workstation where the episode was created."),
    Column("protocol_id", "Protocol the episode was recorded under.", shareable=True),
    Column("protocol_version", "Version of that protocol.", shareable=True),
    Column("created_at_utc", f"Episode created. {_UTC}.", kind="datetime-utc"),
    Column("created_at_local", f"Episode created, {_LOCAL}.", kind="datetime-local"),
    Column("assessed_at_utc", f"Decision-time assessment. {_UTC}.", kind="datetime-utc"),
    Column("assessed_at_local", f"Decision-time assessment, {_LOCAL}.", kind="datetime-local"),
    Column(
        "eligible_from_utc",
        "When she became eligible for PERIPrem's 'could it have been optimal?': the assessment "
        f"time, else the episode's creation; blank if that is after the birth. {_UTC}.",
        kind="datetime-utc",
    ),
    Column(
        "situation", "Clinical situation at the decision (NICE NG25 terms [N1]).", shareable=True
    ),
    Column("gestation_at_decision", "Gestation at the assessment, completed weeks+days (W+D)."),
    Column("gestation_at_decision_days", "Gestation at the assessment in days (W × 7 + D)."),
    Column(
        "birth_at_utc",
        f"Time of this baby's birth. {_UTC}.",
        nnap="Date/time of birth",
        kind="datetime-utc",
    ),
    Column("birth_at_local", f"Time of this baby's birth, {_LOCAL}.", kind="datetime-local"),
    Column(
        "birth_date_local",
        "Local calendar date of birth (date filters use it), YYYY-MM-DD.",
        kind="date",
    ),
    Column(
        "gestation_at_birth",
        "Gestation at birth on the local date of birth, W+D, from the episode's dating.",
        nnap="Gestational age at birth",
    ),
    Column("gestation_at_birth_days", "Gestation at birth in days."),
    Column(
        "gestation_band",
        f"Band at birth (inclusive cut-points in days: {_BANDS}). The PERIPrem tool's '< 26+6' "
        "band is exported as 24-26, i.e. 24+0 to 26+6 with 26+6 included.",
        periprem="Gestation band",
        shareable=True,
    ),
    Column(
        "mgso4_given_before_birth",
        f"A loading dose started at or before birth. {_YES_NO}.",
        periprem="MgSO4 given?",
        shareable=True,
    ),
    Column(
        "courses_recorded", "Number of MgSO₄ courses recorded for the pregnancy.", shareable=True
    ),
    Column(
        "all_courses_utc",
        "Every course: number, load start, maintenance start, stop (UTC) and stop reason, "
        "separated by ' | '.",
    ),
    Column(
        "load_started_at_utc",
        f"Latest course started before birth: load start. {_UTC}.",
        kind="datetime-utc",
    ),
    Column(
        "load_started_at_local",
        f"Latest course before birth: load start, {_LOCAL}.",
        kind="datetime-local",
    ),
    Column(
        "maintenance_started_at_utc",
        f"Latest course before birth: maintenance start. {_UTC}.",
        kind="datetime-utc",
    ),
    Column(
        "maintenance_started_at_local",
        f"Latest course before birth: maintenance start, {_LOCAL}.",
        kind="datetime-local",
    ),
    Column(
        "stopped_at_utc",
        f"Latest course before birth: stop (blank = still running). {_UTC}.",
        kind="datetime-utc",
    ),
    Column(
        "stopped_at_local", f"Latest course before birth: stop, {_LOCAL}.", kind="datetime-local"
    ),
    Column("stop_reason", "Why the latest course before birth stopped (coded).", shareable=True),
    Column(
        "hours_load_to_birth",
        "Hours from the latest load start before birth to birth (real elapsed time, 2 dp).",
        shareable=True,
    ),
    Column(
        "nnap_eligible",
        f"Born before 30+0 [E1][E2]. {_YES_NO}.",
        nnap="Baby born before 30 weeks (denominator)",
        shareable=True,
    ),
    Column(
        "nnap_met",
        f"Mother received MgSO₄ in the 24 h before birth [E1][E2]. {_YES_NO_NA}.",
        nnap="Mother received MgSO4 in the 24 hours before delivery",
        shareable=True,
    ),
    Column(
        "qs135_eligible", f"In NICE QS135 statement 6's population [N2]. {_YES_NO}.", shareable=True
    ),
    Column(
        "qs135_measure",
        "QS135 process measure: a (established labour), b (planned birth).",
        shareable=True,
    ),
    Column("qs135_met", f"QS135 measure met [N2]. {_YES_NO_NA}.", shareable=True),
    Column("bapm_eligible", f"Born before 30+0 [B1][P2]. {_YES_NO}.", shareable=True),
    Column(
        "bapm_optimal",
        "BAPM: a loading dose and at least 4 h of infusion within the 24 h before birth [B1] "
        f". {_YES_NO_NA}.",
    ),
    Column(
        "periprem_optimal",
        f"PERIPrem: loading dose started > 4 h and < 24 h before birth [P1][P2]. {_YES_NO_NA}.",
        periprem="Was MgSO4 optimal (> 4 h and < 24 h before birth)?",
        shareable=True,
    ),
    Column(
        "periprem_could_have_been_optimal",
        "Asked only when MgSO₄ was given, as the PERIPrem tool asks it: "
        "more than 4 h between eligibility and birth, or optimal [P2]. Yes / No / N/A / "
        "Unknown (not given, or eligibility time not known).",
        periprem="Could MgSO4 have been optimal?",
        shareable=True,
    ),
    Column(
        "periprem_received_any",
        f"PERIPrem: mother received any MgSO₄ before birth, no 24 h window [P2]. {_YES_NO_NA}.",
        shareable=True,
    ),
    Column(
        "nnap_excluded",
        "Why a baby born before 30+0 is outside NNAP's denominator, recorded at birth: "
        "died-in-delivery-room, comfort-care, not-admitted; empty when admitted or not "
        "recorded (NNAP inclusion wording UNVERIFIED, reference §4.1).",
        shareable=True,
    ),
    Column(
        "stop_time_missing",
        "A course had no recorded stop: counted as stopped 24 h after its anchor "
        f"; correct the record. {_YES_NO}.",
        shareable=True,
    ),
    Column(
        "anznn_code",
        "ANZNN MgSO₄ timing code from the latest course before birth [Z2].",
        shareable=True,
    ),
    Column(
        "timing_class",
        "G-LATE or G-EXPIRED for given courses outside the window, else blank.",
        shareable=True,
    ),
    Column(
        "missed_case",
        f"Born before 30+0 and no MgSO₄ given before birth. {_YES_NO}.",
        shareable=True,
    ),
    Column(
        "review_reason_code",
        "For a missed case, the recorded not-given reason (UNKNOWN if none); for a timing "
        "class, G-LATE or G-EXPIRED.",
        shareable=True,
    ),
    Column(
        "review_reason_label",
        "Plain words for the review reason (the protocol's list, else reference §3.3).",
        periprem="Reason not given (the tool's optional free text, column AG)",
        shareable=True,
    ),
    Column(
        "avoidability",
        "Avoidability of the reason.",
        shareable=True,
    ),
    Column("avoidable_group", "avoidable / not-avoidable / review.", shareable=True),
    Column(
        "not_given_code_recorded",
        "Not-given reason code as recorded (any gestation).",
        shareable=True,
    ),
    Column(
        "not_given_at_utc", f"When the not-given reason was recorded. {_UTC}.", kind="datetime-utc"
    ),
    Column(
        "not_given_at_local",
        f"When the not-given reason was recorded, {_LOCAL}.",
        kind="datetime-local",
    ),
    Column(
        "not_given_text",
        "Free text recorded with the not-given reason (may name people).",
        identifiable_only=True,
    ),
    Column(
        "data_problem",
        "Why this birth could not be classified (then every classification is blank).",
        shareable=True,
    ),
)

#: Heading of the dictionary table, shared by the XLSX sheet and the CSV file.
DICTIONARY_HEADER: Final = (
    "column",
    "description",
    "PERIPrem optimisation tool (heading wording UNVERIFIED)",
    "NNAP (field wording UNVERIFIED)",
    "in identifiable export only",
)


def columns_for(identifiable: bool = False, *, level: str | None = None) -> tuple[Column, ...]:
    """The columns of an export of the given level, in file order (see :meth:`Column.included`)."""
    return tuple(column for column in COLUMNS if column.included(identifiable, level))


def dictionary_rows(
    identifiable: bool = False, *, level: str | None = None
) -> list[tuple[str, str, str, str, str]]:
    """The dictionary table for an export of the given level (one row per column)."""
    return [
        (
            column.name,
            column.description,
            column.periprem,
            column.nnap,
            "yes" if column.identifiable_only else "",
        )
        for column in columns_for(identifiable, level=level)
    ]
