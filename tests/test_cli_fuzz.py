"""No input ends in a traceback: every subcommand's arguments, fuzzed.

The review's fuzz of 24,500 calls found 84 tracebacks and 31 multi-line messages (e.g. ``assess
--edd 0001-01-01``, ``classify`` with a gestation at decision after birth, a deeply nested
protocol file, ``backup --keep 0``, ``proforma --out /missing/dir/x.pdf``). The subcommands are
read from ``build_parser()``, so a new one is fuzzed without touching this file. For each call:
exit 0, 1 or 2 only; never a traceback; on exit 2 exactly one line on stderr; no raw control
character in anything printed to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mgso4.cli import build_parser, main

#: Calls per subcommand: enough to reach every argument, few enough for well under a minute.
EXAMPLES_PER_COMMAND = 25

HOSTILE_TEXT = [
    "",
    " ",
    "0",
    "-1",
    "1e100000",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00Z",
    "2026-03-29T01:30",
    "21+3",
    "99+6",
    "27+3",
    "=2+3",
    "＝HYPERLINK(1)",
    "line one\nline two",
    "\x1b[31mred\x1b[0m",
    "tab\there",
    "\u2028separator",
    "x" * 300,
    "../../../etc/passwd",
    "9434765919",
    "ﾐ９４３４７６５９１９",
]
PLAUSIBLE = {
    "gestation": ["27+3", "23+0", "33+6", "40+0"],
    "date": ["2026-03-02", "2025-07-01", "2026-01-05"],
    "datetime": ["2026-03-02T09:00Z", "2026-03-02T10:00", "2026-01-05T15:00Z"],
    "number": ["1", "3", "14", "5"],
    "text": ["Review of the January births for the perinatal meeting", "ward-a", "Sam Midwife"],
}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small, valid record the fuzzed calls get a fresh copy of."""
    folder = tmp_path_factory.mktemp("fuzz-template")
    path = folder / "record.sqlite3"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["demo-data", "--db", str(path), "--episodes", "3", "--seed", "5"]) == 0
    return path


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:  # argparse keeps subparsers here
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the parser has no subcommands")


@contextlib.contextmanager
def scratch(template: Path) -> Iterator[dict[str, Path]]:
    """A folder with a fresh record, a damaged one, an empty one and other files to point at."""
    folder = Path(tempfile.mkdtemp(prefix="mgso4-fuzz-"))
    try:
        record = folder / "record.sqlite3"
        shutil.copy(template, record)
        damaged = folder / "damaged.sqlite3"
        data = bytearray(template.read_bytes())
        for offset in range(100, min(len(data), 40_000), 197):
            data[offset] ^= 0xFF
        damaged.write_bytes(bytes(data))
        (folder / "empty.sqlite3").write_bytes(b"")
        (folder / "notes.txt").write_text("not a record")
        (folder / "nested.toml").write_text("x = " + "[" * 50_000 + "]" * 50_000)
        (folder / "sub").mkdir()
        yield {
            "record": record,
            "damaged": damaged,
            "empty": folder / "empty.sqlite3",
            "text": folder / "notes.txt",
            "nested": folder / "nested.toml",
            "folder": folder / "sub",
            "missing": folder / "missing" / "x.pdf",
            "new": folder / "new-file.csv",
            "new_pdf": folder / "new-file.pdf",
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _kind(action: argparse.Action) -> str:
    words = f"{action.dest} {action.metavar or ''}".lower()
    if action.choices:
        return "choice"
    if any(w in words for w in ("db", "into", "source", "backup", "path", "file", "out", "to")):
        return "path"
    if any(w in words for w in ("gestation", "w+d")):
        return "gestation"
    if any(w in words for w in ("birth", "load_start", "stop", "on", "datetime")):
        return "datetime"
    if any(w in words for w in ("edd", "lmp", "date", "from")):
        return "date"
    if any(w in words for w in ("keep", "episodes", "seed", "suppress", "n", "k", "s")):
        return "number"
    return "text"


def _value(action: argparse.Action, draw: st.DrawFn, paths: list[str], command: str) -> str:
    """Mostly a value the command can use (so the call gets past the parser and runs),
    sometimes a hostile one."""
    kind = _kind(action)
    if kind == "choice":
        usable = [str(choice) for choice in action.choices or []]
    elif kind == "path":
        # Where a command writes (--out, --to), mostly a new file; where it reads, the record.
        writes = action.dest in {"out", "to", "into"} or (command, action.dest) == (
            "demo-data",
            "db",
        )
        usable = [paths[-1], paths[-2]] if writes else [paths[0]]
    else:
        usable = PLAUSIBLE.get(kind, ["text"])
    if draw(st.integers(0, 3)) == 3:
        return draw(st.sampled_from(HOSTILE_TEXT))
    return draw(st.sampled_from(usable))


@st.composite
def arguments(draw: st.DrawFn, command: str, paths: list[str]) -> list[str]:
    """A command line for one subcommand: some of its options, fuzzed values, sometimes junk."""
    parser = subcommands()[command]
    argv = [command]
    excluded: set[argparse.Action] = set()
    forced: set[argparse.Action] = set()
    for group in parser._mutually_exclusive_groups:  # one member each, as a user would
        members = list(group._group_actions)
        keep = draw(st.sampled_from(members))
        excluded |= {member for member in members if member is not keep}
        if group.required:
            forced.add(keep)
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction) or action in excluded:
            continue
        if not action.option_strings:  # positional
            count = 1 if action.nargs in (None, 1) else draw(st.integers(1, 2))
            argv += [_value(action, draw, paths, command) for _ in range(count)]
            continue
        if not action.required and action not in forced and not draw(st.booleans()):
            continue
        option = action.option_strings[-1]
        if action.nargs == 0:
            argv.append(option)
        else:
            argv += [option, _value(action, draw, paths, command)]
    if "--quiet" in parser._option_string_actions and "--quiet" not in argv:
        argv.append("--quiet")  # progress lines are not errors
    if draw(st.integers(0, 9)) == 9:
        argv.append(draw(st.sampled_from(["--no-such-option", *HOSTILE_TEXT])))
    return argv


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as stopped:  # argparse's own exits (usage errors, --help)
            code = stopped.code if isinstance(stopped.code, int) else 2
    return code, out.getvalue(), err.getvalue()


PATH_NAMES = ["record", "damaged", "empty", "text", "nested", "folder", "missing", "new", "new_pdf"]


@pytest.mark.parametrize("command", sorted(subcommands()))
def test_no_input_ends_in_a_traceback(command: str, template: Path) -> None:
    @settings(
        max_examples=EXAMPLES_PER_COMMAND,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        with scratch(template) as files, contextlib.chdir(files["folder"]):
            # In the scratch folder: a fuzzed relative path ("=2+3", "0") writes there,
            # never into the folder the tests were started from.
            paths = [str(files[name]) for name in PATH_NAMES]
            argv = data.draw(arguments(command, paths))
            code, out, err = run(argv)
        shown = f"{argv!r} -> {code}\nstderr: {err!r}"
        assert code in (0, 1, 2), shown
        assert "Traceback" not in err + out, shown
        lines = err.splitlines()
        if code == 2:
            assert len(lines) == 1 and lines[0].strip(), shown
        for line in lines:
            assert not any(ord(c) < 32 or c in "\x7f\u2028\u2029" for c in line), shown

    check()


def test_the_fuzz_reaches_every_subcommand() -> None:
    assert {"assess", "classify", "verify", "backup", "export", "merge", "proforma"} <= set(
        subcommands()
    )
