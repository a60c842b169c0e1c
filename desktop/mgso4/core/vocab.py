"""Shared coded vocabularies (the ids used in protocol files, events, the CLI and exports).

Ids are stable strings: they are stored in the record and exported, so never rename one.
"""

from __future__ import annotations

from enum import StrEnum


class Situation(StrEnum):
    """The clinical situation at the decision (NICE NG25 Terms used, [N1])."""

    ESTABLISHED_LABOUR = "established-labour"
    PLANNED_BIRTH_WITHIN_24H = "planned-birth-within-24h"
    SUSPECTED_LABOUR = "suspected-labour"
    DIAGNOSED_LABOUR = "diagnosed-labour"
    PPROM_NOT_IN_LABOUR = "pprom-not-in-labour"

    @property
    def label(self) -> str:
        """Plain words for screens and paper."""
        return _SITUATION_LABELS[self]


_SITUATION_LABELS = {
    Situation.ESTABLISHED_LABOUR: "Established preterm labour",
    Situation.PLANNED_BIRTH_WITHIN_24H: "Planned preterm birth within 24 hours",
    Situation.SUSPECTED_LABOUR: "Suspected preterm labour (not established)",
    Situation.DIAGNOSED_LABOUR: "Diagnosed preterm labour (not established)",
    Situation.PPROM_NOT_IN_LABOUR: "P-PROM, not in labour",
}


class Band(StrEnum):
    """Gestation band from the protocol ([N1] 1.10.1–1.10.3 for the UK default)."""

    DISCUSS = "discuss"
    OFFER = "offer"
    CONSIDER = "consider"
    OUTSIDE = "outside"


class Recommendation(StrEnum):
    """What the app recommends for this woman now."""

    DISCUSS = "discuss"
    OFFER = "offer"
    CONSIDER = "consider"
    NOT_INDICATED = "not-indicated"
    CONTRAINDICATED = "contraindicated"


class ConditionId(StrEnum):
    """Maternal conditions asked about at the decision (decisions.md §5)."""

    HYPERSENSITIVITY = "hypersensitivity"
    MYASTHENIA_GRAVIS = "myasthenia-gravis"
    HEART_BLOCK = "heart-block"
    RENAL_IMPAIRMENT = "renal-impairment"
    HEPATIC_IMPAIRMENT = "hepatic-impairment"
    RESPIRATORY_DISEASE = "respiratory-disease"
    NEUROMUSCULAR_DISORDER = "neuromuscular-disorder"
    PRE_ECLAMPSIA = "pre-eclampsia"


class MedicationId(StrEnum):
    """Interacting medications asked about at the decision (decisions.md §6)."""

    NIFEDIPINE = "nifedipine"
    AMINOGLYCOSIDE = "aminoglycoside"
    NEUROMUSCULAR_BLOCKER = "neuromuscular-blocker"
    CNS_DEPRESSANT = "cns-depressant"


class Role(StrEnum):
    """Who recorded an entry."""

    MIDWIFE = "midwife"
    OBSTETRICIAN = "obstetrician"
    ANAESTHETIST = "anaesthetist"
    NEONATOLOGIST = "neonatologist"
    STUDENT = "student"
    AUDITOR = "auditor"
    OTHER = "other"


class IdentifierType(StrEnum):
    """Which national patient identifier was entered (the user says which, decisions.md §11)."""

    NHS = "nhs"
    CHI = "chi"
