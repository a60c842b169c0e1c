"""Smoke test of a built bundle: run the frozen ``mgso4`` as a user would, from outside the tree.

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/smoke_bundle.py dist/mgso4-proforma

Checks, each with a one-line verdict:

1. ``mgso4 --version`` prints the package version;
2. ``mgso4 assess --gestation 27+3 --situation established-labour --json`` offers MgSO₄ with a
   4 g load at 80 mL/h (decisions §3, default 20% preparation) — protocols and preparations
   were found inside the bundle;
3. ``mgso4 protocols --json`` lists every protocol shipped in ``resources/protocols``;
4. ``mgso4 proforma --blank --out FILE.pdf`` writes a PDF — reportlab and the DejaVu fonts work
   frozen;
5. ``mgso4 --smoke-test board.png --db smoke.sqlite3`` starts the app offscreen, captures the
   ward board, opens the audit screen (matplotlib charts) and loads a PDF into the viewer
   (QtPdf), then closes (packaging/entry.py).

Every run uses a temporary folder for the record, settings and outputs, so no real record or
setting is read or changed. The pictures are copied to ``build/bundle-smoke/``.
Exit status 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Each run of the bundle is given this long (s); the app starts in about a second.
RUN_TIMEOUT_S = 120


def package_version() -> str:
    """``mgso4.__version__``, read from the source without importing the package."""
    text = (PROJECT_ROOT / "desktop" / "mgso4" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if match is None:
        raise SystemExit("desktop/mgso4/__init__.py has no __version__")
    return match.group(1)


def executable(bundle: Path) -> Path:
    """The console ``mgso4`` executable in the bundle folder."""
    return bundle / ("mgso4.exe" if sys.platform == "win32" else "mgso4")


class Runner:
    """Runs the bundled executable in a scratch folder with throwaway data folders."""

    def __init__(self, bundle: Path, scratch: Path) -> None:
        self.exe = executable(bundle)
        self.scratch = scratch
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"PYTHONPATH", "PYTHONHOME", "MGSO4_RESOURCES", "VIRTUAL_ENV"}
        }
        self.env.update(
            QT_QPA_PLATFORM=self.env.get("QT_QPA_PLATFORM", "offscreen"),
            MGSO4_DATA_DIR=str(scratch / "data"),
            MGSO4_CONFIG_DIR=str(scratch / "config"),
            MGSO4_NO_BACKUP_THREAD="1",
            HOME=str(scratch / "home"),
            XDG_DATA_HOME=str(scratch / "home" / "data"),
            XDG_CONFIG_HOME=str(scratch / "home" / "config"),
        )

    def __call__(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.exe), *(str(a) for a in args)],
            cwd=self.scratch,
            env=self.env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=RUN_TIMEOUT_S,
            check=False,
        )


def _ok(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        raise AssertionError(
            f"{what} exited {result.returncode}\n{result.stdout}\n{result.stderr}".strip()
        )


def check_version(run: Runner) -> str:
    result = run("--version")
    _ok(result, "mgso4 --version")
    expected = f"mgso4 {package_version()}"
    assert result.stdout.strip() == expected, f"printed {result.stdout.strip()!r}, not {expected!r}"
    return expected


def check_assess(run: Runner) -> str:
    result = run("assess", "--gestation", "27+3", "--situation", "established-labour", "--json")
    _ok(result, "mgso4 assess")
    data = json.loads(result.stdout)
    assert data["recommendation"] == "offer", f"recommendation {data['recommendation']!r}"
    loading = data["loading"]
    assert loading["dose_g"] == 4, f"loading dose {loading['dose_g']} g"
    assert loading["rate_ml_per_h"] == 80, f"loading rate {loading['rate_ml_per_h']} mL/h"
    return f"27+3 in established labour: offer, load 4 g at 80 mL/h ({data['protocol']['id']})"


def check_protocols(run: Runner) -> str:
    result = run("protocols", "--json")
    _ok(result, "mgso4 protocols")
    listed = {row["id"] for row in json.loads(result.stdout)["protocols"]}
    shipped = {path.stem for path in (PROJECT_ROOT / "resources" / "protocols").glob("*.toml")}
    assert listed == shipped, f"listed {sorted(listed)}, shipped {sorted(shipped)}"
    return f"{len(listed)} protocols: {', '.join(sorted(listed))}"


def check_blank_proforma(run: Runner) -> str:
    out = run.scratch / "blank.pdf"
    result = run("proforma", "--blank", "--out", out)
    _ok(result, "mgso4 proforma --blank")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-"), "not a PDF"
    assert b"DejaVu" in data, "the DejaVu font is not embedded"
    return f"blank proforma {len(data) // 1024} KB with DejaVu embedded"


def check_gui(run: Runner) -> str:
    picture = run.scratch / "board.png"
    result = run("--smoke-test", picture, "--db", run.scratch / "smoke.sqlite3")
    _ok(result, "mgso4 --smoke-test")
    for expected in ("MainWindow", "AuditView", "QtPdf loaded"):
        assert f"smoke test: {expected}" in result.stdout, f"no '{expected}' in\n{result.stdout}"
    kept = PROJECT_ROOT / "build" / "bundle-smoke"
    kept.mkdir(parents=True, exist_ok=True)
    for name in ("board.png", "board-audit.png"):
        assert (run.scratch / name).stat().st_size > 1024, f"no {name}"
        shutil.copyfile(run.scratch / name, kept / name)
    lines = "; ".join(line.removeprefix("smoke test: ") for line in result.stdout.splitlines())
    return f"{lines} (pictures in {kept.relative_to(PROJECT_ROOT)}/)"


CHECKS: list[tuple[str, Callable[[Runner], str]]] = [
    ("version", check_version),
    ("assess", check_assess),
    ("protocols", check_protocols),
    ("blank proforma", check_blank_proforma),
    ("app start", check_gui),
]


def main(argv: list[str]) -> int:
    """Run every check against the bundle folder given as the only argument."""
    if len(argv) != 1:
        print("usage: smoke_bundle.py BUNDLE_DIR (e.g. dist/mgso4-proforma)", file=sys.stderr)
        return 2
    bundle = Path(argv[0]).resolve()
    if not executable(bundle).is_file():
        print(f"smoke_bundle.py: {executable(bundle)} not found: build the bundle first")
        return 1
    failures = 0
    with tempfile.TemporaryDirectory(prefix="mgso4-smoke-") as scratch:
        run = Runner(bundle, Path(scratch))
        for name, check in CHECKS:
            started = time.monotonic()
            try:
                verdict = check(run)
            except (AssertionError, KeyError, ValueError, OSError) as exc:
                failures += 1
                print(f"FAIL {name}: {exc}")
                continue
            print(f"ok   {name} ({time.monotonic() - started:.1f} s): {verdict}")
    print("Bundle smoke test " + ("passed" if failures == 0 else f"FAILED ({failures})"))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
