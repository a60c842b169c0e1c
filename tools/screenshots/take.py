"""Scripted screenshots for the README and the user guide (``make screenshots``).

Builds a throwaway TRAINING record in a temporary folder with made-up women and synthetic
NHS numbers (999 …, the range never issued to patients), fixes the clock at a winter night,
then renders the ward board, an episode with an overdue alert, the observation form showing
a stop trigger, the blank proforma's print preview, and the settings dialog to PNG with
``widget.grab()``, then every page of the new-episode wizard (``wizard_pages.py``).
``make screenshots`` runs it on a real X display (Xvfb, the xcb platform); without one Qt
falls back to offscreen. The audit screen's pictures come from ``audit_screens.py``.

Run: ``python tools/screenshots/take.py docs/screenshots``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The demo harness shared with the tests (tests/gui/harness); wizard_pages.py is beside this.
sys.path.insert(0, str(ROOT / "tests" / "gui"))

from harness.episodes import DEMO_MIDWIFE, episode_drafts  # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget  # noqa: E402
from wizard_pages import screenshot_pages  # noqa: E402

from mgso4.core.episode import Birth, EventDraft, EventType  # noqa: E402
from mgso4.core.protocol import ProtocolLibrary, load_preparations_file  # noqa: E402
from mgso4.gui.app import build_main_window  # noqa: E402
from mgso4.gui.context import AppContext  # noqa: E402
from mgso4.gui.episode.actions import RateChangeDialog  # noqa: E402
from mgso4.gui.style import Colour, apply_style  # noqa: E402
from mgso4.gui.widgets.screen_fit import fit_to_screen  # noqa: E402
from mgso4.resources import resource_path  # noqa: E402
from mgso4.settings import Settings  # noqa: E402
from mgso4.storage import Store  # noqa: E402

#: The demo's "now": 03:10 GMT on a January night (no clock change near).
DEMO_NOW = datetime(2026, 1, 14, 3, 10, tzinfo=UTC)


def demo_record(store_path: Path, now: datetime = DEMO_NOW) -> tuple[AppContext, dict[str, str]]:
    """A training record with four episodes in different states; returns (context, uuids).

    One has observations overdue by 30 minutes (urgent), one is loading (its end due in a few
    minutes), one is running quietly, one is still being assessed.
    """
    library = ProtocolLibrary(resource_path("protocols"))
    settings = Settings(unit_name="Demo labour ward")
    protocol = library.load(settings.protocol)
    preparations = load_preparations_file(resource_path("preparations.toml"))
    store = Store.open(store_path, clock=lambda: now)
    scenarios = {
        "urgent": episode_drafts(
            protocol=protocol,
            preparations=preparations,
            name="Amira KHAN",
            identifier="9990000018",
            gestation="27+3",
            created_at=now - timedelta(hours=4, minutes=50),
            load_started_at=now - timedelta(hours=4, minutes=40),
            observations_at=(now - timedelta(hours=4, minutes=30),),
        ),
        "loading": episode_drafts(
            protocol=protocol,
            preparations=preparations,
            name="Beth O'NEILL",
            identifier="9990000026",
            gestation="25+1",
            created_at=now - timedelta(minutes=20),
            load_started_at=now - timedelta(minutes=12),
            load_finished=False,
        ),
        "running": episode_drafts(
            protocol=protocol,
            preparations=preparations,
            name="Chloe ADEYEMI",
            identifier="9990000034",
            gestation="31+2",
            created_at=now - timedelta(hours=7, minutes=20),
            load_started_at=now - timedelta(hours=7, minutes=10),
            observations_at=(
                now - timedelta(hours=7),
                now - timedelta(hours=3),
                now - timedelta(minutes=80),
            ),
            preparation_id="20pct-load-10pct-maint",
        ),
        "twins": episode_drafts(
            protocol=protocol,
            preparations=preparations,
            name="Eve MORGAN",
            identifier="9990000077",
            gestation="28+1",
            created_at=now - timedelta(hours=3, minutes=20),
            load_started_at=now - timedelta(hours=3, minutes=10),
            observations_at=(now - timedelta(hours=3), now - timedelta(minutes=50)),
            plurality=2,
        ),
        "assessing": episode_drafts(
            protocol=protocol,
            preparations=preparations,
            name="Dana WILLIAMS",
            identifier="9990000042",
            gestation="32+0",
            created_at=now - timedelta(minutes=5),
            plurality=2,
        ),
    }
    uuids: dict[str, str] = {}
    for key, (episode_uuid, drafts) in scenarios.items():
        store.append_many(drafts, protocol)
        uuids[key] = episode_uuid
    # The twins are born 40 and 25 minutes ago; the infusion is still recorded as running.
    store.append_many(
        [
            EventDraft.make(
                EventType.BIRTH,
                Birth(baby=baby, label=f"Twin {baby}"),
                episode_uuid=uuids["twins"],
                occurred_at=now - timedelta(minutes=minutes),
                recorded_by=DEMO_MIDWIFE,
            )
            for baby, minutes in ((1, 40), (2, 25))
        ],
        protocol,
    )
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
    with Image.open(path) as image:
        rgba = image.convert("RGBA")
    # A top-level window's unpainted areas grab as transparent; on screen the platform fills
    # them with the window colour, so the picture does too.
    backdrop = Image.new("RGBA", rgba.size, Colour.WINDOW)
    flat = Image.alpha_composite(backdrop, rgba).convert("RGB")
    reduced = flat.quantize(colors=256, dither=Image.Dither.NONE)
    reduced.save(path, optimize=True)


def _settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def take(out_dir: Path, *, log: Callable[[str], None] = print) -> list[Path]:
    """Render every screenshot into ``out_dir``; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["mgso4-screenshots"])
    apply_style(app)
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
        # The size the app takes on this screen (1366×768 or 1280×720 under make screenshots).
        fit_to_screen(window, 1280, 800)
        window.show()
        window.check_clock()
        save(window, "ward-board.png")

        view = window.open_episode(uuids["urgent"])
        window.check_clock()
        save(window, "episode-alert.png")
        # The same page scrolled down to the episode's history (the timeline).
        area = next(
            (a for a in window.findChildren(QScrollArea) if a.isAncestorOf(view.timeline)), None
        )
        if area is not None:
            area.ensureWidgetVisible(view.timeline, 0, 0)
            save(window, "episode-timeline.png")
            area.verticalScrollBar().setValue(0)

        twins = window.open_episode(uuids["twins"])
        window.check_clock()
        save(window, "episode-twins.png")
        del twins
        view = window.open_episode(uuids["urgent"])

        dialog = view.open_observations()
        assert dialog is not None
        dialog.ui.pulse_edit.setText("92")
        dialog.ui.systolic_edit.setText("112")
        dialog.ui.diastolic_edit.setText("70")
        dialog.ui.rr_edit.setText("10")
        dialog.ui.reflexes_combo.setCurrentIndex(dialog.ui.reflexes_combo.findText("Absent"))
        save(dialog, "observation-stop-trigger.png")
        dialog.reject()

        rate = view.open_rate()
        if isinstance(rate, RateChangeDialog):
            rate.rate_edit.setText("1..5")
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
            _settle(app, 20)  # the PDF view paints its pages in a few event-loop turns
            save(preview, "blank-proforma-preview.png")
            preview.reject()

        settings = window.open_settings()
        fit_to_screen(settings, 900, 620)
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

        for path in screenshot_pages(context, out_dir):
            written.append(path)
            log(f"wrote {path}")
        window.close()
        context.store.close()
    return written


def main(argv: list[str] | None = None) -> int:
    """``python tools/screenshots/take.py OUT_DIR``."""
    parser = argparse.ArgumentParser(description="Render the app's screenshots to PNG.")
    parser.add_argument("out_dir", type=Path, nargs="?", default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    take(args.out_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
