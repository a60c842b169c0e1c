"""Compile the Designer forms in ``forms/*.ui`` into ``mgso4/gui/forms/ui_*.py``.

``make forms`` runs ``python -m mgso4.gui.build_forms``. The output is committed (the app
never needs the Qt tools at run time) and ``tests/gui/test_forms_in_sync.py`` recompiles into
a temporary folder and compares, so a .ui edit without a rebuild fails the tests.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

#: The first line of every generated file.
HEADER = "# generated — do not edit: compiled from forms/{name} by `make forms`\n"
INIT_TEXT = '"""Generated Designer forms (ui_*.py) — do not edit; see forms/*.ui."""\n'

REPO_ROOT = Path(__file__).resolve().parents[3]
FORMS_DIR = REPO_ROOT / "forms"
OUTPUT_DIR = Path(__file__).resolve().parent / "forms"


class FormBuildError(RuntimeError):
    """The forms could not be compiled; the message says why."""


def find_uic() -> Path:
    """``pyside6-uic`` beside the running Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "pyside6-uic"
    for candidate in (beside, beside.with_suffix(".exe")):
        if candidate.is_file():
            return candidate
    found = shutil.which("pyside6-uic")
    if found:
        return Path(found)
    raise FormBuildError(
        "pyside6-uic was not found beside this Python or on PATH; run `make setup` first."
    )


def compile_form(ui_file: Path, out_dir: Path, uic: Path) -> Path:
    """Compile one .ui file to ``out_dir/ui_<stem>.py`` with the generated-file header."""
    target = out_dir / f"ui_{ui_file.stem}.py"
    result = subprocess.run(
        [str(uic), "--generator", "python", str(ui_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise FormBuildError(f"{ui_file.name}: pyside6-uic failed: {result.stderr.strip()}")
    target.write_text(HEADER.format(name=ui_file.name) + result.stdout, encoding="utf-8")
    return target


def compile_forms(
    forms_dir: Path = FORMS_DIR, out_dir: Path = OUTPUT_DIR, uic: Path | None = None
) -> list[Path]:
    """Compile every ``*.ui`` in ``forms_dir``; returns the files written (sorted)."""
    uic = uic or find_uic()
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "__init__.py").write_text(INIT_TEXT, encoding="utf-8")
    ui_files = sorted(forms_dir.glob("*.ui"))
    if not ui_files:
        raise FormBuildError(f"No .ui files in {forms_dir}.")
    return [compile_form(ui_file, out_dir, uic) for ui_file in ui_files]


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m mgso4.gui.build_forms [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=Path, default=FORMS_DIR, help="folder of .ui files")
    parser.add_argument("--out", type=Path, default=OUTPUT_DIR, help="where ui_*.py go")
    args = parser.parse_args(argv)
    try:
        written = compile_forms(args.forms, args.out)
    except FormBuildError as exc:
        print(f"make forms: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
