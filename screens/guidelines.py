"""The labeling guidelines the app shows (F1, and `?` for the PII rules): the Markdown file
beside this module, cut into sections for search."""

from __future__ import annotations

import re
import string
from collections import Counter
from pathlib import Path

GUIDELINES = Path(__file__).with_name("guidelines.md")
MISSING = "The guidelines file is missing from this installation."

_HEADING = re.compile(r"^#{1,3} ", re.M)


def read_guidelines() -> str | None:
    """The guidelines Markdown, or None when the file is missing."""
    try:
        return GUIDELINES.read_text(encoding="utf-8")
    except OSError:
        return None


def sections(text: str) -> list[str]:
    """The document cut at its headings (levels 1-3), each piece keeping its heading."""
    starts = [m.start() for m in _HEADING.finditer(text)] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    ends = starts[1:] + [len(text)]
    return [text[a:b].strip() for a, b in zip(starts, ends, strict=True) if text[a:b].strip()]


def matching(text: str, query: str) -> list[str]:
    words = query.lower().split()
    return [s for s in sections(text) if all(w in s.lower() for w in words)]


_UNSLUGGED = re.compile("[" + re.escape(string.punctuation.replace("-", "").replace("_", "")) + "]+")


def slugs(titles: list[str]) -> list[str]:
    """GitHub-style anchors of headings (as Textual's Markdown makes them: lower case,
    punctuation dropped, spaces to hyphens, `-1`, `-2` on repeats): a screen's HELP_TOPIC."""
    seen: Counter[str] = Counter()
    out = []
    for title in titles:
        slug = re.sub(r"\s", "-", _UNSLUGGED.sub("", title.strip().lower()))
        out.append(f"{slug}-{seen[slug]}" if seen[slug] else slug)
        seen[slug] += 1
    return out
