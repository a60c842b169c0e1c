"""The blank downtime proforma: the same structure as the completed one, on paper.

Used when the app or the computer is unavailable. Every clinical number is pre-printed from the
protocol and preparation files in force (bands, loading dose and duration, volumes and pump rates
from :mod:`mgso4.core.dosing`, observation frequency, stop triggers, actions, antidote, the 24 h
rule, missed-case reasons), so changing the protocol file changes the form. Values that are
local or unverified settings say so ("local setting").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from mgso4 import __version__
from mgso4.core.dosing import full_course_grams, loading_plan, maintenance_plan
from mgso4.core.episode import StopReason
from mgso4.core.gestation import DatingMethod
from mgso4.core.protocol import PreparationSet, Protocol, Sourced
from mgso4.core.vocab import Situation
from mgso4.reports.common import cited
from mgso4.reports.layout import (
    BOX,
    CONTENT_WIDTH,
    Cell,
    Furniture,
    build_pdf,
    gap,
    grid,
    heading,
    key_values,
    markup,
    para,
    signatures,
    styles,
    subheading,
    tick_list,
    write_in,
)
from mgso4.reports.text import DATING_LABELS, PRODUCT_NAME, esc, number

TITLE: Final = "MgSO₄ for fetal neuroprotection — proforma (downtime paper form)"

#: Rows in the blank observation chart: 24 h at the UK default 4-hourly interval needs 7;
#: hourly for the first 4 h and then 4-hourly needs 11. 18 rows keep the whole form, with the
#: make-up and VTBI lines of a bag preparation, within five pages; a longer chart continues
#: on another sheet (the chart has a box to say so).
OBSERVATION_ROWS: Final = 18

_KIND_WORDS: Final = {
    "contraindication": "CONTRAINDICATION – do not give",
    "caution": "caution – senior decision required",
    "other-regimen": "other regimen applies",
}

_ANCHOR_WORDS: Final = {
    "maintenance-start": "the start of the maintenance infusion",
    "load-start": "the start of the loading dose",
}


def _local(value: Sourced) -> str:
    return " (local setting)" if value.is_local_setting else ""


def _widths(*parts: float) -> list[float]:
    return [part * CONTENT_WIDTH / sum(parts) for part in parts]


def render_blank(
    protocol: Protocol,
    preparations: PreparationSet,
    preparation_id: str | None = None,
    *,
    unit_name: str,
) -> bytes:
    """Render the blank downtime proforma for a protocol and preparation as PDF bytes (A4).

    Args:
        protocol: The unit protocol whose numbers are pre-printed.
        preparations: The preparations file.
        preparation_id: Which preparation's volumes and pump rates to print; None means the
            file's default.
        unit_name: The unit's name for the header and footer.

    Returns:
        The PDF document.

    Raises:
        ProtocolError: The preparation id is not in the preparations file (the message names
            the choices).
    """
    preparation = preparations.get(preparation_id or preparations.default)
    sheet = styles()
    load = loading_plan(protocol, preparation)
    maintenance = maintenance_plan(protocol, preparation)
    rules = protocol.monitoring
    story: list[Flowable] = [
        para(unit_name or "Unit not named", sheet.subtitle),
        para(TITLE, sheet.title),
        markup(
            f"<b>Protocol:</b> {esc(protocol.name)} – {esc(protocol.id)} version "
            f"{esc(protocol.version)} – content hash <b>{esc(protocol.short_hash)}</b>",
            sheet.small,
        ),
        para(f"Full protocol hash (SHA-256): {protocol.sha256}", sheet.mono),
        para(
            f"Preparation: {preparation.name} ({preparation.id}). Use this form only while the "
            "electronic record is unavailable, then enter every entry into the app with its "
            "clinical time.",
            sheet.small,
        ),
    ]

    # 1. Dating --------------------------------------------------------------------------
    story += heading("1. Dating and gestation")
    story.append(tick_list([DATING_LABELS[m] for m in DatingMethod], columns=3))
    story.append(gap(1.5))  # the tick row's descenders must clear the table's top rule
    story.append(write_in(["EDD", "LMP", "Stated gestation (weeks+days)"]))
    story.append(
        write_in(["Gestation at decision (weeks+days)", "Number of babies expected", "Date"])
    )

    # 2. Bands ---------------------------------------------------------------------------
    story += heading("2. Gestation bands (this protocol)")
    band_rows: list[list[Cell]] = [
        [
            band.band.upper(),
            f"{band.start.label} to {band.end.label} weeks",
            band.wording or "",
            band.source + (" (local setting)" if band.status in ("unverified", "local") else ""),
        ]
        for band in protocol.bands
    ]
    band_rows.append(["OUTSIDE", "any other gestation", "Not indicated by this protocol.", ""])
    story.append(
        grid(["Band", "Gestation", "What to do", "Source"], band_rows, _widths(20, 34, 90, 36))
    )

    # 3. Situation and conditions -------------------------------------------------------------
    story += heading("3. Situation and conditions")
    qualifying = ", ".join(s.label for s in protocol.qualifying_situations)
    story.append(
        para(f"Qualifying situations: {qualifying} {protocol.qualifying_source}.", sheet.small)
    )
    story.append(tick_list([s.label for s in Situation], columns=2))
    # The proforma's own fields (decisions.md §16): the same as the app records.
    story.append(
        write_in(
            [
                "Established labour: cervix (cm)",
                "Examined (date, time)",
                "Or planned birth: time, mode",
            ]
        )
    )
    story.append(
        write_in(
            [
                f"Steroids {BOX} given {BOX} not given",
                "1st dose (date, time)",
                "2nd dose (date, time)",
            ]
        )
    )
    story.append(
        write_in(
            [
                "Neonatal team told (time)",
                "In-utero transfer: from / to",
                "Transfer (date, time)",
            ]
        )
    )
    story += subheading("Maternal conditions")
    story.append(
        tick_list(
            [
                f"{c.label} – {_KIND_WORDS.get(c.kind, c.kind)}: {c.text} {c.source}"
                for c in protocol.conditions
            ]
        )
    )
    story += subheading("Interacting medicines (acknowledge the warning)")
    story.append(
        tick_list(
            [f"{m.label}: {m.warning} Action: {m.action} {m.source}" for m in protocol.interactions]
        )
    )

    # 4. Decision ------------------------------------------------------------------------
    story += heading("4. Recommendation and decision")
    story.append(
        tick_list(
            ["DISCUSS", "OFFER", "CONSIDER", "NOT INDICATED NOW", "CONTRAINDICATED"], columns=3
        )
    )
    story.append(tick_list(["Give MgSO₄", "Do not give MgSO₄ (reason in section 11)"], columns=2))
    story.append(write_in(["Decided by (name, role)", "Senior (where required)", "Date and time"]))
    story.append(
        write_in(
            [
                "Prescribed by (name, role)",
                f"Information: {BOX} agreed {BOX} declined",
                f"{BOX} off-label use explained",
            ],
            widths=[55 * mm, 72 * mm, CONTENT_WIDTH - 127 * mm],
        )
    )

    # 5. Preparation and doses -----------------------------------------------------------
    story += heading("5. Preparation and doses (pre-printed from the protocol)")
    loading_rule = protocol.loading
    maintenance_rule = protocol.maintenance
    rows: list[tuple[str, Cell]] = [
        ("Preparation", f"{preparation.name} – {preparation.drug}"),
        (
            "Loading dose",
            f"{number(load.dose_g)} g over {number(load.duration_min)} min "
            f"{loading_rule.dose_g.source}{_local(loading_rule.dose_g)}",
        ),
        (
            "Loading volume and pump rate",
            markup(
                f"<b>{esc(number(load.volume_ml))} mL</b> of {esc(load.concentration_label)} "
                f"at <b>{esc(number(load.rate_ml_per_h))} mL/h</b> for "
                f"{esc(number(load.duration_min))} min",
                sheet.cell,
            ),
        ),
        (
            "Loading container",
            load.container + (f"; make up: {load.make_up}" if load.make_up else ""),
        ),
        (
            "Maintenance",
            markup(
                f"<b>{esc(number(maintenance.rate_g_per_h))} g/h</b> = "
                f"<b>{esc(number(maintenance.rate_ml_per_h))} mL/h</b> of "
                f"{esc(maintenance.concentration_label)} "
                f"({esc(number(maintenance.rate_ml_per_h))} mL/h × "
                f"{esc(number(maintenance.concentration_g_per_ml))} g/mL = "
                f"{esc(number(maintenance.rate_g_per_h))} g/h) "
                f"{esc(maintenance_rule.rate_g_per_h.source)}"
                f"{esc(_local(maintenance_rule.rate_g_per_h))}",
                sheet.cell,
            ),
        ),
        (
            "Maintenance container",
            f"{maintenance.container}; one lasts "
            f"{number(maintenance.hours_per_container)} h at "
            f"{number(maintenance.rate_ml_per_h)} mL/h"
            + (f"; make up: {maintenance.make_up}" if maintenance.make_up else ""),
        ),
        (
            "Full course",
            f"{number(full_course_grams(protocol))} g ({number(load.dose_g)} g load + "
            f"{number(maintenance.rate_g_per_h)} g/h × {number(maintenance.max_hours)} h)",
        ),
    ]
    story.append(key_values(rows))
    for warning in dict.fromkeys((*load.warnings, *maintenance.warnings)):
        story.append(para(f"Warning: {warning}", sheet.warning))
    story.append(
        write_in(
            [
                "Pre-load baseline obs: time, values",
                f"{BOX} calcium gluconate at hand",
                "Pump; batch / lot",
            ],
            widths=[75 * mm, 55 * mm, CONTENT_WIDTH - 130 * mm],
        )
    )

    # 6. Administration ------------------------------------------------------------------
    story += heading("6. Loading, maintenance and stop")
    story += subheading("Loading dose")
    story.append(write_in(["Load started (date, time)", "Load finished (date, time)"]))
    story.append(write_in(["Given by (name, role)", "Checked by (name, role)"]))
    story += subheading("Maintenance")
    story.append(
        write_in(
            ["Maintenance started (date, time)", "Pump rate set (mL/h)", "Concentration (g/mL)"]
        )
    )
    story.append(write_in(["Given by (name, role)", "Checked by (name, role)"]))
    story += subheading("Rate changes (g/h = mL/h × g/mL; write both)")
    story.append(
        grid(
            ["Date, time", "New rate (mL/h)", "Dose (g/h)", "Reason", "Signature"],
            [["", "", "", "", ""] for _ in range(4)],
            _widths(30, 22, 20, 70, 38),
            row_height=8 * mm,
        )
    )
    story += subheading("Syringe or bag changes")
    story.append(
        grid(
            ["Date, time", "Concentration (g/mL)", "Volume (mL)", "Checked by", "Signature"],
            [["", "", "", "", ""] for _ in range(4)],
            _widths(30, 30, 24, 56, 40),
            row_height=8 * mm,
        )
    )
    anchor = _ANCHOR_WORDS.get(maintenance_rule.stop_anchor, maintenance_rule.stop_anchor)
    anchor_local = (
        " (local setting)" if maintenance_rule.stop_anchor_status in ("unverified", "local") else ""
    )
    birth_words = (
        "at birth or" if maintenance_rule.stop_at_birth else "(not automatically at birth) at"
    )
    story += subheading(f"{number(maintenance_rule.max_hours.value)} h stop rule")
    story.append(
        para(
            f"Stop {birth_words} {number(maintenance_rule.max_hours.value)} h after {anchor}"
            f"{anchor_local}, whichever comes first {maintenance_rule.max_hours.source}; "
            f"anchor: {cited(maintenance_rule.stop_anchor_source, protocol)}. "
            "With twins, at the last baby's birth. Only when a named senior records severe "
            "pre-eclampsia or eclampsia as its own indication does the team's stop plan "
            "replace the stop at birth (NG133 1.8.4).",
        )
    )
    story.append(
        write_in(["Stop due (date, time)", "Stopped (date, time)", "Stopped by (name, role)"])
    )
    story.append(tick_list([reason.label for reason in StopReason], columns=4))

    # 7. Monitoring ----------------------------------------------------------------------
    story += heading("7. Observations and stop triggers")
    story.append(
        para(
            f"Observe pulse, blood pressure, respiratory rate and patellar reflexes at least "
            f"every {number(rules.interval_hours.value)} h {rules.interval_hours.source}"
            f"{_local(rules.interval_hours)}; also urine output and SpO₂."
        )
    )
    reflexes_local = " (local setting)" if rules.reflexes_status in ("unverified", "local") else ""
    trigger_rows: list[list[Cell]] = [
        [
            "Respiratory rate",
            f"below {number(rules.rr_min_per_min.value)}/min",
            rules.rr_min_per_min.source + _local(rules.rr_min_per_min),
        ],
        [
            "Respiratory rate fall",
            f"more than {number(rules.rr_fall_from_baseline_per_min.value)}/min below baseline",
            rules.rr_fall_from_baseline_per_min.source
            + _local(rules.rr_fall_from_baseline_per_min),
        ],
        [
            "Patellar reflexes",
            "absent" if rules.reflexes_absent_stop else "absent: warning only in this protocol",
            rules.reflexes_source + reflexes_local,
        ],
        [
            "Urine output",
            f"below {number(rules.urine_min_ml_per_4h.value)} mL in 4 h",
            rules.urine_min_ml_per_4h.source + _local(rules.urine_min_ml_per_4h),
        ],
        [
            "Diastolic fall",
            f"more than {number(rules.diastolic_fall_from_baseline_mmhg.value)} mmHg below "
            "baseline",
            rules.diastolic_fall_from_baseline_mmhg.source
            + _local(rules.diastolic_fall_from_baseline_mmhg),
        ],
        [
            "SpO₂",
            f"below {number(rules.spo2_min_percent.value)}%",
            rules.spo2_min_percent.source + _local(rules.spo2_min_percent),
        ],
    ]
    story.append(grid(["Stop trigger", "Threshold", "Source"], trigger_rows, _widths(40, 80, 60)))
    story += subheading(f"If a stop trigger is met {rules.actions_source}")
    story.append(
        markup(
            "<br/>".join(f"{index}. {esc(action)}" for index, action in enumerate(rules.actions, 1))
        )
    )
    story.append(para(f"Antidote: {rules.antidote} {rules.antidote_source}", sheet.warning))
    story.append(tick_list(["Calcium gluconate 10% available at the bedside"]))

    # 8. Observation chart ---------------------------------------------------------------
    story += heading("8. Observation chart")
    story.append(
        grid(
            [
                "Date, time",
                "Pulse (/min)",
                "BP (mmHg)",
                "Resp. rate (/min)",
                "Reflexes",
                "Urine (mL) / hours",
                "SpO₂ (%)",
                "Trigger met? action",
                "Initials",
            ],
            [["", "", "", "", "", "", "", "", ""] for _ in range(OBSERVATION_ROWS)],
            _widths(26, 14, 18, 16, 17, 19, 13, 38, 19),
            row_height=8 * mm,
        )
    )
    story.append(para(f"{BOX} continued on another sheet", sheet.small))

    # 9. Birth ---------------------------------------------------------------------------
    story += heading("9. Birth")
    story.append(
        grid(
            ["Baby", "Date and time of birth", "Gestation at birth (weeks+days)", "Recorded by"],
            [[f"Baby {n}", "", "", ""] for n in (1, 2, 3)],
            _widths(24, 54, 50, 52),
            row_height=8 * mm,
        )
    )

    # 10. Alerts -------------------------------------------------------------------------
    story += heading("10. Alerts and actions taken")
    story.append(
        grid(
            ["Date, time", "What was found", "Action taken", "By (name, role)"],
            [["", "", "", ""] for _ in range(3)],
            _widths(30, 60, 60, 30),
            row_height=9 * mm,
        )
    )

    # 11. Not given ----------------------------------------------------------------------
    story += heading("11. If MgSO₄ was not given: reason")
    story.append(
        para(
            "Tick one. Reason list: this protocol's (unit-editable); late "
            "(< 4 h before birth) and expired (> 24 h before birth) courses are timing classes, "
            "not missed cases.",
            sheet.small,
        )
    )
    story.append(tick_list(_reason_options(protocol)))
    story.append(write_in(["Details (where the reason asks for them)"]))

    story += signatures(("Midwife", "Checker (second practitioner)", "Obstetrician"))

    furniture = Furniture(
        banner_name=None,
        banner_details=(),
        footer_lines=(
            f"Protocol hash (SHA-256): {protocol.sha256}",
            f"Blank form – not an electronic record · {unit_name} · preparation "
            f"{preparation.id} (preparations file {preparations.version})",
            f"{PRODUCT_NAME} {__version__} · protocol {protocol.id} {protocol.version} "
            f"({protocol.short_hash})",
        ),
        document_label="MgSO₄ paper form",
        write_in_fields=("Name", "NHS / CHI number", "Date of birth", "Hospital number"),
    )
    return build_pdf(
        story,
        furniture,
        title=TITLE,
        author=unit_name,
        subject=f"Blank proforma, protocol {protocol.id} {protocol.version}",
        printed_at=None,
    )


def _reason_options(protocol: Protocol) -> Sequence[str]:
    options = []
    for reason in protocol.missed_reasons:
        text = f"{reason.code} – {reason.label}"
        if reason.needs_text:
            text += " (give details below)"
        options.append(text)
    return options
