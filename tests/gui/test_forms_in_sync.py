"""The committed ui_*.py files are exactly what pyside6-uic makes from forms/*.ui."""

from __future__ import annotations

from pathlib import Path

from mgso4.gui.build_forms import FORMS_DIR, HEADER, OUTPUT_DIR, compile_forms


def test_compiled_forms_match_the_committed_files(tmp_path: Path) -> None:
    written = compile_forms(FORMS_DIR, tmp_path)
    assert written, "no forms compiled"
    for fresh in written:
        committed = OUTPUT_DIR / fresh.name
        assert committed.is_file(), f"{fresh.name} is not committed: run `make forms`"
        assert committed.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
            f"{fresh.name} is out of date with forms/: run `make forms`"
        )


def test_every_committed_form_has_a_ui_source() -> None:
    sources = {f"ui_{p.stem}.py" for p in FORMS_DIR.glob("*.ui")}
    committed = {p.name for p in OUTPUT_DIR.glob("ui_*.py")}
    assert committed == sources


def test_generated_files_say_they_are_generated() -> None:
    for path in OUTPUT_DIR.glob("ui_*.py"):
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == HEADER.format(name=f"{path.stem.removeprefix('ui_')}.ui").rstrip()
