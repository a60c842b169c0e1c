"""The user, auditor and admin guides stay true to the code they describe.

Every picture and relative link they use exists, every in-page link lands on a heading, and
every ``mgso4`` command line they show names a real subcommand and only its real options, so a
renamed option or a removed screenshot fails here rather than confusing a reader on the ward.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from mgso4 import cli

ROOT = Path(__file__).resolve().parents[2]
GUIDES = [
    ROOT / "docs" / name
    for name in ("user-guide.md", "auditor-guide.md", "admin-guide.md", "scripting.md")
]
#: Options of ``mgso4`` itself: the app's start options and the bundle's smoke test
#: (packaging/entry.py); ``--version`` and ``--help`` come from the parser.
APP_OPTIONS = {"--db", "--training", "--protocol", "--smoke-test", "--version", "--help"}

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def guide_ids(paths: list[Path]) -> list[str]:
    return [path.name for path in paths]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def headings(path: Path) -> set[str]:
    return {
        slug(line.lstrip("#"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def links(path: Path) -> list[str]:
    return LINK.findall(path.read_text(encoding="utf-8"))


def command_lines(path: Path) -> list[str]:
    """``mgso4 ...`` lines from code blocks and inline code in a guide."""
    text = path.read_text(encoding="utf-8")
    found: list[str] = []
    for block in re.findall(r"```(?:sh|powershell)?\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("mgso4 ") or line == "mgso4":
                found.append(line)
    for inline in re.findall(r"`(mgso4(?: [^`]*)?)`", text):
        found.append(inline)
    return found


def subcommand_options() -> dict[str, set[str]]:
    """Every subcommand of the real parser with its option strings."""
    parser = cli.build_parser()
    (subparsers,) = (
        action for action in parser._actions if action.__class__.__name__ == "_SubParsersAction"
    )
    return {
        name: {option for action in sub._actions for option in action.option_strings}
        for name, sub in subparsers.choices.items()
    }


@pytest.mark.parametrize("guide", GUIDES, ids=guide_ids(GUIDES))
def test_guide_pictures_and_relative_links_exist(guide: Path) -> None:
    missing = [
        target
        for target in links(guide)
        if not target.startswith(("http://", "https://", "#"))
        and not (guide.parent / target.split("#", 1)[0]).exists()
    ]
    assert missing == []


@pytest.mark.parametrize("guide", GUIDES, ids=guide_ids(GUIDES))
def test_guide_links_to_headings_that_exist(guide: Path) -> None:
    broken = []
    for target in links(guide):
        if target.startswith(("http://", "https://")) or "#" not in target:
            continue
        file_part, anchor = target.split("#", 1)
        document = guide if not file_part else (guide.parent / file_part)
        if document.suffix == ".md" and anchor not in headings(document):
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("guide", GUIDES, ids=guide_ids(GUIDES))
def test_guide_commands_use_real_subcommands_and_options(guide: Path) -> None:
    known = subcommand_options()
    problems = []
    for line in command_lines(guide):
        words = shlex.split(line)[1:]
        if words and words[0].startswith("<"):
            continue  # a placeholder in prose, e.g. `mgso4 <command>`
        if not words or words[0].startswith("-"):
            allowed = APP_OPTIONS
            where = "mgso4"
        elif words[0] in known:
            allowed = known[words[0]]
            where = f"mgso4 {words[0]}"
            words = words[1:]
        else:
            problems.append(f"{line}: no subcommand {words[0]!r}")
            continue
        for word in words:
            option = word.split("=", 1)[0]
            if option.startswith("--") and option not in allowed:
                problems.append(f"{line}: {where} has no option {option}")
    assert problems == []


def test_every_guide_shows_at_least_one_command() -> None:
    # The command check above must have something to check in each guide.
    assert all(command_lines(guide) for guide in GUIDES)
