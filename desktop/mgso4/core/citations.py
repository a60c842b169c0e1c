"""Source notes in the words a reader can follow: the protocol's own citation titles.

Protocol and preparation files note where each value comes from, partly in the project's own
shorthand: "decisions.md 3", "reference §3.3 (our synthesis)", "[D5]" (a tag the protocol does
not list). Those mean nothing to a midwife or an auditor. :func:`plain_citation` removes the
project's document references, writes each tag the protocol lists as its citation's short
title ("[N1] 1.10.4" → "NICE NG25 1.10.4") and drops tags it does not list. The files and
their hashes are unchanged: only what is shown changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: The project's own documents, with their section numbers and a trailing "(our synthesis)".
_INTERNAL = re.compile(
    r"(?:decisions|reference)(?:\.md)?\s*§?\s*\d+(?:\.\d+)*(?:\s*\((?:our )?synthesis\))?"
    r"|(?:decisions|reference)\.md",
    re.IGNORECASE,
)
#: A source tag: "[N1]", "[N1 1.10 note]", "[T1]".
_TAG = re.compile(r"\[([A-Z]{1,2}\d{1,2})((?:\s[^\]]*)?)\]")
#: The longest short title shown for a tag, in characters.
SHORT_TITLE_CHARS = 40


def short_title(title: str) -> str:
    """A citation's title without its dates and notes ("NICE NG25 Preterm labour and birth")."""
    cut = re.split(r"\s\(|\s-\s|:\s|,\s", title, maxsplit=1)[0].strip()
    if len(cut) <= SHORT_TITLE_CHARS:
        return cut
    words: list[str] = []
    for word in cut.split():
        if len(" ".join([*words, word])) > SHORT_TITLE_CHARS:
            break
        words.append(word)
    return " ".join(words) or cut[:SHORT_TITLE_CHARS]


def plain_citation(text: str, titles: Mapping[str, str] | None = None) -> str:
    """The source note for a screen or a printed page.

    Args:
        text: The note as the file has it ("decisions.md 3; [D5] 20% product: …").
        titles: Tag → citation title (``Protocol.sources``); tags not in it are dropped. With
            None the tags are kept as they are (only the project's documents go).
    """
    result = _INTERNAL.sub("", text)
    if titles is not None:

        def tag(match: re.Match[str]) -> str:
            title = titles.get(match.group(1))
            if title is None:
                return ""
            return f"{short_title(plain_citation(title))}{match.group(2)}\x00"

        result = _TAG.sub(tag, result)
        # Two tags side by side ("[T1][T2]") become two titles with a "; " between them.
        result = re.sub(r"\x00(?=[^\s\x00;,.)])", "; ", result).replace("\x00", "")
    # Tidy what the removals left: empty brackets, doubled or leading separators.
    result = re.sub(r"\(\s*[;,]?\s*\)", "", result)
    result = re.sub(r"\(\s*[;,]\s*", "(", result)
    result = re.sub(r"\s*[;,]\s*\)", ")", result)
    result = re.sub(r"(?:\s*;\s*)+", "; ", result)
    result = re.sub(r"\s{2,}", " ", result)
    result = re.sub(r"\s+([.,)])", r"\1", result)
    return result.strip(" ;,")


def protocol_titles(sources: object) -> dict[str, str]:
    """Tag → title for a protocol's ``sources`` (objects with ``tag`` and ``title``)."""
    found: dict[str, str] = {}
    for source in sources if isinstance(sources, (list, tuple)) else ():
        tag, title = getattr(source, "tag", None), getattr(source, "title", None)
        if isinstance(tag, str) and isinstance(title, str):
            found[tag] = title
    return found


def cite(text: str, protocol: object) -> str:
    """:func:`plain_citation` with the titles of a protocol's sources."""
    return plain_citation(text, protocol_titles(getattr(protocol, "sources", ())))
