"""Audit: were eligible women given MgSO₄ in time, and why not (issue #6).

Public API (each function reports progress through ``progress(stage, done, total)`` and can be
cancelled through ``cancel`` — a ``threading.Event`` or a callable returning True):

* :func:`compute_metrics` — NNAP, NICE QS135 (a)/(b), BAPM/PERIPrem optimal and "could have
  been optimal", ANZNN codes, missed-case reasons; every number with the babies behind it.
* :func:`load_audit_data` — read and classify once, then ``AuditData.metrics(...)`` per filter.
* :func:`export_csv`, :func:`export_xlsx`, :func:`export_fhir` — per-baby exports at a named
  level (shareable by default, pseudonymised, identifiable); all or nothing.
* :func:`merge_into` — combine workstations' records, refusing any that does not verify.
* :func:`write_demo_data` — synthetic episodes for training and tests.
* :mod:`mgso4.audit.charts` — run chart, Pareto and timing histogram as matplotlib Figures.

Definitions are ``core.outcome``'s (decisions.md §10); this package only reads and counts.
"""

from __future__ import annotations

from mgso4.audit.data import AuditData, compute_metrics, load_audit_data, read_episode_facts
from mgso4.audit.demo import DemoReport, write_demo_data
from mgso4.audit.export import (
    ExportLevel,
    ExportPurpose,
    ExportRequest,
    ExportResult,
    export_csv,
    export_fhir,
    export_xlsx,
)
from mgso4.audit.facts import BabyRef, BabyRow, GestationBand
from mgso4.audit.merge import MergeReport, SourceResult, merge_into
from mgso4.audit.metrics import Filters, Metrics, MetricValue, OutcomeFilter
from mgso4.audit.progress import AuditError, Cancelled
from mgso4.audit.pseudonym import load_or_create_key

__all__ = [
    "AuditData",
    "AuditError",
    "BabyRef",
    "BabyRow",
    "Cancelled",
    "DemoReport",
    "ExportLevel",
    "ExportPurpose",
    "ExportRequest",
    "ExportResult",
    "Filters",
    "GestationBand",
    "MergeReport",
    "MetricValue",
    "Metrics",
    "OutcomeFilter",
    "SourceResult",
    "compute_metrics",
    "export_csv",
    "export_fhir",
    "export_xlsx",
    "load_audit_data",
    "load_or_create_key",
    "merge_into",
    "read_episode_facts",
    "write_demo_data",
]
