"""The data dictionary of the per-baby export: every column, what it means, and where it maps.

The export has one row per baby. Its columns line up with the PERIPrem optimisation tool [P2]
(reference §2.2) and the NNAP MgSO₄ measure [E1][E2] (reference §4.1) where they overlap. The
exact column headings of the PERIPrem spreadsheet and the NNAP/BadgerNet field names were not
available to read (reference §2.2, §4.1), so the mapping names the *question* each column
answers, not a verbatim heading: **heading wording UNVERIFIED**.

The dictionary goes with every export: a "Data dictionary" sheet in XLSX, and
``<name>.dictionary.csv`` beside a CSV.

De-identification (default): the NHS/CHI number becomes a keyed pseudonym, names are dropped,
the mother's date of birth is reduced to the year, and free text (which may name people) is
dropped. The baby's birth time is kept: it is the event being audited. A de-identified export is
pseudonymised, not anonymous: treat it as personal data.
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
        deidentified_only: Present only in a de-identified export.
    """

    name: str
    description: str
    periprem: str = ""
    nnap: str = ""
    identifiable_only: bool = False
    deidentified_only: bool = False

    def included(self, identifiable: bool) -> bool:
        """Whether this column is in an export of the given kind."""
        if self.identifiable_only:
            return identifiable
        if self.deidentified_only:
            return not identifiable
        return True


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
    Column("mother_date_of_birth", "Mother's date of birth, YYYY-MM-DD.", identifiable_only=True),
    Column("mother_birth_year", "Year of the mother's date of birth (blank if not recorded)."),
    Column("unit_name", "Unit name recorded with the episode."),
    Column("workstation_id", "Workstation where the episode was created."),
    Column("protocol_id", "Protocol the episode was recorded under."),
    Column("protocol_version", "Version of that protocol."),
    Column("created_at_utc", f"Episode created. {_UTC}."),
    Column("created_at_local", f"Episode created, {_LOCAL}."),
    Column("assessed_at_utc", f"Decision-time assessment. {_UTC}."),
    Column("assessed_at_local", f"Decision-time assessment, {_LOCAL}."),
    Column(
        "eligible_from_utc",
        "When she became eligible for PERIPrem's 'could it have been optimal?': the assessment "
        f"time, else the episode's creation; blank if that is after the birth. {_UTC}.",
    ),
    Column("situation", "Clinical situation at the decision (NICE NG25 terms [N1])."),
    Column("gestation_at_decision", "Gestation at the assessment, completed weeks+days (W+D)."),
    Column("gestation_at_decision_days", "Gestation at the assessment in days (W × 7 + D)."),
    Column("birth_at_utc", f"Time of this baby's birth. {_UTC}.", nnap="Date/time of birth"),
    Column("birth_at_local", f"Time of this baby's birth, {_LOCAL}."),
    Column("birth_date_local", "Local calendar date of birth (date filters use it), YYYY-MM-DD."),
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
    ),
    Column(
        "mgso4_given_before_birth",
        f"A loading dose started at or before birth. {_YES_NO}.",
        periprem="MgSO4 given?",
    ),
    Column("courses_recorded", "Number of MgSO₄ courses recorded for the pregnancy."),
    Column(
        "all_courses_utc",
        "Every course: number, load start, maintenance start, stop (UTC) and stop reason, "
        "separated by ' | '.",
    ),
    Column("load_started_at_utc", f"Latest course started before birth: load start. {_UTC}."),
    Column("load_started_at_local", f"Latest course before birth: load start, {_LOCAL}."),
    Column("maintenance_started_at_utc", f"Latest course before birth: maintenance start. {_UTC}."),
    Column(
        "maintenance_started_at_local",
        f"Latest course before birth: maintenance start, {_LOCAL}.",
    ),
    Column("stopped_at_utc", f"Latest course before birth: stop (blank = still running). {_UTC}."),
    Column("stopped_at_local", f"Latest course before birth: stop, {_LOCAL}."),
    Column("stop_reason", "Why the latest course before birth stopped (coded)."),
    Column(
        "hours_load_to_birth",
        "Hours from the latest load start before birth to birth (real elapsed time, 2 dp).",
    ),
    Column(
        "nnap_eligible",
        f"Born before 30+0 [E1][E2]. {_YES_NO}.",
        nnap="Baby born before 30 weeks (denominator)",
    ),
    Column(
        "nnap_met",
        f"Mother received MgSO₄ in the 24 h before birth [E1][E2]. {_YES_NO_NA}.",
        nnap="Mother received MgSO4 in the 24 hours before delivery",
    ),
    Column("qs135_eligible", f"In NICE QS135 statement 6's population [N2]. {_YES_NO}."),
    Column("qs135_measure", "QS135 process measure: a (established labour), b (planned birth)."),
    Column("qs135_met", f"QS135 measure met [N2]. {_YES_NO_NA}."),
    Column("bapm_eligible", f"Born before 30+0 [B1][P2]. {_YES_NO}."),
    Column(
        "bapm_optimal",
        "BAPM: a loading dose and at least 4 h of infusion within the 24 h before birth [B1] "
        f"(decisions.md §10). {_YES_NO_NA}.",
    ),
    Column(
        "periprem_optimal",
        f"PERIPrem: loading dose started > 4 h and < 24 h before birth [P1][P2]. {_YES_NO_NA}.",
        periprem="Was MgSO4 optimal (> 4 h and < 24 h before birth)?",
    ),
    Column(
        "periprem_could_have_been_optimal",
        "More than 4 h between eligibility and birth, or optimal [P2]. Yes / No / N/A / "
        "Unknown (eligibility time not known).",
        periprem="Could MgSO4 have been optimal?",
    ),
    Column("anznn_code", "ANZNN MgSO₄ timing code from the latest course before birth [Z2]."),
    Column("timing_class", "G-LATE or G-EXPIRED for given courses outside the window, else blank."),
    Column(
        "missed_case",
        f"Born before 30+0 and no MgSO₄ given before birth (decisions.md §9). {_YES_NO}.",
    ),
    Column(
        "review_reason_code",
        "For a missed case, the recorded not-given reason (UNKNOWN if none); for a timing "
        "class, G-LATE or G-EXPIRED (reference §3.3).",
    ),
    Column(
        "review_reason_label",
        "Plain words for the review reason (the protocol's list, else reference §3.3).",
        periprem="Reason not given (the tool's optional free text, column AG)",
    ),
    Column("avoidability", "Avoidability of the reason (reference §3.3, our synthesis)."),
    Column("avoidable_group", "avoidable / not-avoidable / review."),
    Column("not_given_code_recorded", "Not-given reason code as recorded (any gestation)."),
    Column("not_given_at_utc", f"When the not-given reason was recorded. {_UTC}."),
    Column("not_given_at_local", f"When the not-given reason was recorded, {_LOCAL}."),
    Column(
        "not_given_text",
        "Free text recorded with the not-given reason (may name people).",
        identifiable_only=True,
    ),
    Column(
        "data_problem",
        "Why this birth could not be classified (then every classification is blank).",
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


def columns_for(identifiable: bool) -> tuple[Column, ...]:
    """The columns of an export of the given kind, in file order."""
    return tuple(column for column in COLUMNS if column.included(identifiable))


def dictionary_rows(identifiable: bool) -> list[tuple[str, str, str, str, str]]:
    """The dictionary table for an export of the given kind (one row per column)."""
    return [
        (
            column.name,
            column.description,
            column.periprem,
            column.nnap,
            "yes" if column.identifiable_only else "",
        )
        for column in columns_for(identifiable)
    ]
