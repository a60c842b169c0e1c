"""Write the audit screenshots in ``docs/screenshots`` from a fresh demo record.

``python tools/screenshots/audit_screens.py [out_dir]`` writes ``audit-run.png``,
``audit-pareto.png``, ``audit-timing.png`` (the charts, exactly as saved from the screen) and
``audit-view.png`` (the audit screen), each re-saved with a 256-colour palette to stay small.
Everything shown is synthetic demo data (``mgso4.audit.demo``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

#: The demo record and the year shown.
EPISODES = 3000
SEED = 2026
SHOWN_FROM = date(2025, 11, 1)
SHOWN_TO = date(2026, 10, 31)


def take(out_dir: Path) -> list[Path]:
    """Write the four PNGs into ``out_dir``; returns their paths."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QDate, QTimer
    from PySide6.QtWidgets import QApplication

    from mgso4.audit import charts
    from mgso4.audit.data import load_audit_data
    from mgso4.audit.demo import write_demo_data
    from mgso4.core.protocol import ProtocolLibrary, load_preparations_file
    from mgso4.gui.audit.view import AuditView
    from mgso4.gui.context import AppContext
    from mgso4.gui.style import apply_style
    from mgso4.resources import resource_path
    from mgso4.settings import Settings
    from mgso4.storage import Store

    out_dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="mgso4-audit-shots-"))
    os.environ["MGSO4_CONFIG_DIR"] = str(folder / "config")
    record = folder / "demo.sqlite3"
    write_demo_data(record, episodes=EPISODES, seed=SEED)
    metrics = load_audit_data(record).metrics(date_from=SHOWN_FROM, date_to=SHOWN_TO)
    written = []
    for name, build in charts.CHARTS.items():
        written.append(charts.save_figure(build(metrics), out_dir / f"audit-{name}.png"))

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    apply_style(app)
    settings = Settings()
    library = ProtocolLibrary(resource_path("protocols"))
    with Store.open(record, check_location_safe=False) as store:
        context = AppContext(
            store=store,
            protocol=library.load(settings.protocol),
            preparations=load_preparations_file(resource_path("preparations.toml")),
            library=library,
            settings=settings,
        )
        view = AuditView(context)
        view.resize(1400, 900)
        view.show()

        def wait(condition: Callable[[], bool], limit_s: float = 60) -> None:
            # Wait inside the event loop; a timer checks the condition.
            started = time.monotonic()
            timer = QTimer()
            timer.setInterval(100)

            def check() -> None:
                if condition() or time.monotonic() - started > limit_s:
                    timer.stop()
                    app.quit()

            timer.timeout.connect(check)
            timer.start()
            app.exec()

        wait(lambda: view.metrics is not None and not view.busy)
        view.date_from_edit.setDate(QDate(SHOWN_FROM.year, SHOWN_FROM.month, SHOWN_FROM.day))
        view.date_to_edit.setDate(QDate(SHOWN_TO.year, SHOWN_TO.month, SHOWN_TO.day))
        wait(
            lambda: (
                view.metrics is not None
                and view.metrics.date_from == SHOWN_FROM
                and view.metrics.date_to == SHOWN_TO
                and not view.busy
            )
        )
        view.select_tile("nnap")
        view.chart_tabs.setCurrentIndex(1)
        wait(lambda: False, limit_s=0.5)
        screen = out_dir / "audit-view.png"
        view.grab().save(str(screen))
        written.append(screen)
        view.close()
    for path in written:
        _shrink_png(path)
    return written


def _shrink_png(path: Path) -> None:
    """Re-save with an adaptive 256-colour palette (Pillow comes with matplotlib)."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a matplotlib dependency
        return
    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    reduced.save(path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point: ``python tools/screenshots/audit_screens.py [out_dir]``."""
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else Path("docs/screenshots")
    for path in take(out_dir):
        print(f"{path} ({path.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
