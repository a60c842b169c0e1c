"""Scripted screenshots for the README and the user guide (``make screenshots``).

Builds a throwaway TRAINING record in a temporary folder with made-up women and synthetic
NHS numbers (999 …, the range never issued to patients), fixes the clock at a winter night,
then renders the ward board, an episode with an overdue alert, the observation form showing
a stop trigger, the blank proforma's print preview, and the settings dialog to PNG with
``widget.grab()`` (offscreen). If the new-episode wizard provides
``screenshot_pages(context, out_dir)``, its pages are added.

Run: ``python -m mgso4.gui.screenshots docs/screenshots``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from mgso4.core.dosing import loading_plan, maintenance_plan
from mgso4.core.eligibility import AssessmentInputs, assess, to_assessed_payload
from mgso4.core.episode import (
    Actor,
    Dating,
    Decision,
    EpisodeCreated,
    EventDraft,
    EventType,
    LoadFinished,
    LoadStarted,
    MaintenanceStarted,
    Observation,
    Patient,
    Reflexes,
)
from mgso4.core.gestation import DatingMethod
from mgso4.core.protocol import PreparationSet, Protocol, ProtocolLibrary, load_preparations_file
from mgso4.core.vocab import IdentifierType, Role, Situation
from mgso4.resources import resource_path
from mgso4.settings import Settings

#: The demo's "now": 03:10 GMT on a January night (no clock change near).
DEMO_NOW = datetime(2026, 1, 14, 3, 10, tzinfo=UTC)
DEMO_MIDWIFE = Actor(name="Sam Taylor", role=Role.MIDWIFE)
DEMO_CHECKER = Actor(name="Priya Shah", role=Role.MIDWIFE)
DEMO_DOCTOR = Actor(name="Dr Alex Morgan", role=Role.OBSTETRICIAN)


def episode_drafts(
    *,
    protocol: Protocol,
    preparations: PreparationSet,
    name: str,
    identifier: str,
    gestation: str,
    created_at: datetime,
    load_started_at: datetime | None = None,
    load_finished: bool = True,
    maintenance: bool = True,
    observations_at: tuple[datetime, ...] = (),
    training: bool = True,
    plurality: int = 1,
    preparation_id: str | None = None,
    actor: Actor = DEMO_MIDWIFE,
) -> tuple[str, list[EventDraft]]:
    """An episode's first entries (created, decided, load, maintenance, observations).

    The dose numbers come from ``core.dosing`` for the preparation, as the wizard does.
    Returns the episode uuid and the drafts in order.
    """
    episode_uuid = str(uuid.uuid4())
    prep = preparations.get(preparation_id or preparations.default)
    drafts: list[EventDraft] = []

    def add(event_type: EventType, payload: object, at: datetime) -> None:
        drafts.append(
            EventDraft.make(
                event_type,
                payload,  # type: ignore[arg-type]
                episode_uuid=episode_uuid,
                occurred_at=at,
                recorded_by=actor,
            )
        )

    add(
        EventType.EPISODE_CREATED,
        EpisodeCreated(
            patient=Patient(id_type=IdentifierType.NHS, identifier=identifier, name=name),
            dating=Dating(
                method=DatingMethod.WEEKS_DAYS,
                stated_gestation=gestation,
                stated_on=created_at.date(),
            ),
            preparation_id=prep.id,
            training=training,
            unit_name="Demo labour ward",
            plurality=plurality,
        ),
        created_at,
    )
    # The assessment the wizard records with every new episode (established labour).
    dating = Dating(
        method=DatingMethod.WEEKS_DAYS, stated_gestation=gestation, stated_on=created_at.date()
    )
    inputs = AssessmentInputs(
        gestation=dating.gestation_on(created_at.date()),
        situation=Situation.ESTABLISHED_LABOUR,
        dating_method=DatingMethod.WEEKS_DAYS,
        on=created_at.date(),
        plurality=plurality,
    )
    assessment = assess(inputs, protocol, preparations, prep.id)
    add(EventType.ASSESSED, to_assessed_payload(assessment, inputs), created_at)
    if load_started_at is None:
        return episode_uuid, drafts
    add(EventType.DECISION, Decision(give=True, decided_by=DEMO_DOCTOR), load_started_at)
    load = loading_plan(protocol, prep)
    add(
        EventType.LOAD_STARTED,
        LoadStarted(
            course_number=1,
            preparation_id=prep.id,
            dose_g=load.dose_g,
            concentration_g_per_ml=load.concentration_g_per_ml,
            volume_ml=load.volume_ml,
            rate_ml_per_h=load.rate_ml_per_h,
            duration_min=load.duration_min,
            given_by=actor,
            checked_by=DEMO_CHECKER,
        ),
        load_started_at,
    )
    load_end = load_started_at + timedelta(minutes=float(load.duration_min))
    if load_finished:
        add(EventType.LOAD_FINISHED, LoadFinished(course_number=1), load_end)
        if maintenance:
            plan = maintenance_plan(protocol, prep)
            add(
                EventType.MAINTENANCE_STARTED,
                MaintenanceStarted(
                    course_number=1,
                    preparation_id=prep.id,
                    concentration_g_per_ml=plan.concentration_g_per_ml,
                    rate_ml_per_h=plan.rate_ml_per_h,
                    container_volume_ml=plan.container_volume_ml,
                    given_by=actor,
                    checked_by=DEMO_CHECKER,
                ),
                load_end,
            )
    for number, at in enumerate(observations_at):
        add(
            EventType.OBSERVATION,
            Observation(
                pulse_per_min=88 + number,
                systolic_mmhg=118,
                diastolic_mmhg=74,
                baseline_diastolic_mmhg=74,
                rr_per_min=16,
                baseline_rr_per_min=16,
                reflexes=Reflexes.PRESENT,
                urine_ml=140,
                urine_period_h=Decimal(4),
                spo2_percent=98,
            ),
            at,
        )
    return episode_uuid, drafts


def demo_record(store_path: Path, now: datetime = DEMO_NOW):  # type: ignore[no-untyped-def]
    """A training record with four episodes in different states; returns (context, uuids).

    One has observations overdue by 30 minutes (urgent), one is loading (its end due in a few
    minutes), one is running quietly, one is still being assessed.
    """
    from mgso4.gui.context import AppContext
    from mgso4.storage import Store

    library = ProtocolLibrary(resource_path("protocols"))
    settings = Settings(unit_name="Demo labour ward")
    protocol = library.load(settings.protocol)
    preparations = load_preparations_file(resource_path("preparations.toml"))
    store = Store.open(store_path, clock=lambda: now)
    ref = protocol
    uuids: dict[str, str] = {}
    scenarios: list[tuple[str, dict[str, object]]] = [
        (
            "urgent",
            {
                "name": "Amira KHAN",
                "identifier": "9990000018",
                "gestation": "27+3",
                "created_at": now - timedelta(hours=4, minutes=50),
                "load_started_at": now - timedelta(hours=4, minutes=40),
                "observations_at": (now - timedelta(hours=4, minutes=30),),
            },
        ),
        (
            "loading",
            {
                "name": "Beth O'NEILL",
                "identifier": "9990000026",
                "gestation": "25+1",
                "created_at": now - timedelta(minutes=20),
                "load_started_at": now - timedelta(minutes=12),
                "load_finished": False,
            },
        ),
        (
            "running",
            {
                "name": "Chloe ADEYEMI",
                "identifier": "9990000034",
                "gestation": "31+2",
                "created_at": now - timedelta(hours=7, minutes=20),
                "load_started_at": now - timedelta(hours=7, minutes=10),
                "observations_at": (
                    now - timedelta(hours=7),
                    now - timedelta(hours=3),
                    now - timedelta(minutes=80),
                ),
                "preparation_id": "20pct-load-10pct-maint",
            },
        ),
        (
            "assessing",
            {
                "name": "Dana WILLIAMS",
                "identifier": "9990000042",
                "gestation": "32+0",
                "created_at": now - timedelta(minutes=5),
                "plurality": 2,
            },
        ),
    ]
    for key, kwargs in scenarios:
        episode_uuid, drafts = episode_drafts(
            protocol=protocol,
            preparations=preparations,
            **kwargs,  # type: ignore[arg-type]
        )
        store.append_many(drafts, ref)
        uuids[key] = episode_uuid
    context = AppContext(
        store=store,
        protocol=protocol,
        preparations=preparations,
        library=library,
        settings=settings,
        training=True,
        clock=lambda: now,
        user=DEMO_MIDWIFE,
    )
    return context, uuids


def _shrink_png(path: Path) -> None:
    """Re-save with an adaptive 256-colour palette (flat UI colours survive exactly).

    Uses Pillow when it is installed (it comes with matplotlib); otherwise the full-colour
    file stays as Qt wrote it.
    """
    try:
        from PIL import Image
    except ImportError:
        return
    from mgso4.gui.style import Colour

    with Image.open(path) as image:
        rgba = image.convert("RGBA")
    # A top-level window's unpainted areas grab as transparent; on screen the platform fills
    # them with the window colour, so the picture does too.
    backdrop = Image.new("RGBA", rgba.size, Colour.WINDOW)
    flat = Image.alpha_composite(backdrop, rgba).convert("RGB")
    reduced = flat.quantize(colors=256, dither=Image.Dither.NONE)
    reduced.save(path, optimize=True)


def _settle(app: object, rounds: int = 5) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    for _ in range(rounds):
        app.processEvents()


def take(out_dir: Path, *, log: Callable[[str], None] = print) -> list[Path]:
    """Render every screenshot into ``out_dir``; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QWidget

    from mgso4.gui.app import build_main_window
    from mgso4.gui.style import apply_style

    app = QApplication.instance() or QApplication(["mgso4-screenshots"])
    apply_style(app)  # type: ignore[arg-type]
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(widget: QWidget, name: str) -> None:
        _settle(app)
        path = out_dir / name
        widget.grab().save(str(path), "PNG")
        _shrink_png(path)
        written.append(path)
        log(f"wrote {path} ({path.stat().st_size // 1024} KB)")

    with tempfile.TemporaryDirectory(prefix="mgso4-shots-") as folder:
        context, uuids = demo_record(Path(folder) / "training.sqlite3")
        window = build_main_window(context, backups=False)
        window.resize(1280, 900)
        window.show()
        window.check_clock()
        save(window, "ward-board.png")

        view = window.open_episode(uuids["urgent"])
        window.check_clock()
        save(window, "episode-alert.png")

        dialog = view.open_observations()
        assert dialog is not None
        dialog.ui.pulse_edit.setText("92")
        dialog.ui.systolic_edit.setText("112")
        dialog.ui.diastolic_edit.setText("70")
        dialog.ui.rr_edit.setText("10")
        dialog.ui.reflexes_combo.setCurrentIndex(dialog.ui.reflexes_combo.findText("Absent"))
        dialog.resize(760, 1000)
        save(dialog, "observation-stop-trigger.png")
        dialog.reject()

        rate = view.open_rate()
        if rate is not None:
            rate.rate_edit.setText("1..5")  # type: ignore[attr-defined]
            rate.save()
            save(rate, "rate-bad-input.png")
            rate.reject()

        window.show_board()
        window.print_blank_proforma()
        # The PDF is made on the app's task pool; wait for it, then deliver its result.
        window.tasks.wait(30_000)
        _settle(app)
        preview = window.blank_preview
        if preview is not None:
            preview.resize(900, 760)
            _settle(app, 20)  # the PDF view paints its pages in a few event-loop turns
            save(preview, "blank-proforma-preview.png")
            preview.reject()

        settings = window.open_settings()
        settings.resize(900, 620)
        save(settings, "settings.png")
        # A unit's own protocol file with a mistake: the problem is named by its field path.
        text = resource_path("protocols", "uk-nice-ng25.toml").read_text(encoding="utf-8")
        broken = Path(folder) / "our-unit-protocol.toml"
        broken.write_text(
            text.replace('dose_g = { value = "4"', 'dose_g = { value = "-4"', 1),
            encoding="utf-8",
        )
        settings.ui.protocol_combo.setEditText(str(broken))
        settings.check_protocol()
        save(settings, "settings-protocol-error.png")
        settings.reject()

        try:
            from mgso4.gui import wizard
        except ImportError:
            wizard = None  # type: ignore[assignment]
        pages = getattr(wizard, "screenshot_pages", None) if wizard is not None else None
        if callable(pages):
            extra = pages(context, out_dir)
            for path in extra or ():
                written.append(Path(path))
                log(f"wrote {path}")
        window.close()
        context.store.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m mgso4.gui.screenshots OUT_DIR``."""
    parser = argparse.ArgumentParser(description="Render the app's screenshots to PNG.")
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    take(args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
