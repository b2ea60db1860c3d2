"""How every stage of the data layer reports: `Problem`, `DatasetError`, and the text of a message
(a field's dotted path, a value quoted, why a text of the file cannot be kept). Split from lib.data.read,
which re-exports these names."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# A report lists at most this many problems, then says how many more there are.
MAX_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the dataset, in plain words."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class DatasetError(Exception):
    """The dataset cannot be used; `problems` lists the reasons found (at most MAX_PROBLEMS of them,
    then one line "… and N more problems"); `total` counts them all."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        total = max(total or 0, len(problems))
        shown = list(problems[:MAX_PROBLEMS])
        if total > len(shown):
            file = shown[0].file if shown else ""
            shown.append(Problem(file, None, "", f"… and {total - len(shown):,} more problems"))
        self.problems = shown
        self.total = total
        super().__init__("\n".join(str(p) for p in shown))


def _clip(text: str, n: int = 60) -> str:
    """Text from the file, quoted in a message: at most `n` characters (a message never echoes 100 KB)."""
    return text if len(text) <= n else text[: n - 1] + "…"


# Characters no field of the dataset may hold: control characters (but tabs and the line breaks of a
# multi-line text), noncharacters (U+FFFE, U+FFFF, U+FDD0–U+FDEF…) and the bidirectional controls that reorder what a
# reader sees. They break the Excel and PowerPoint downloads, a terminal, or the meaning of a line.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_problem(value: str) -> str | None:
    """Why a text of the file cannot be kept (None: it can). Only called for text that is not printable."""
    for ch in value:
        o = ord(ch)
        if ch in _BIDI:
            return (f"a bidirectional control character (U+{o:04X}) is in this text: it reorders what a reader "
                    "sees; remove it")
        if (o < 0x20 and ch not in "\n\t") or 0x7F <= o < 0xA0:
            return f"a control character (U+{o:04X}) is in this text: remove it"
        if 0xFDD0 <= o <= 0xFDEF or (o & 0xFFFE) == 0xFFFE:
            return f"a noncharacter (U+{o:04X}) is in this text: it is not text; remove it"
    if value and not value.isspace() and all(ch.isspace() or unicodedata.category(ch) == "Cf" for ch in value):
        return ("this text is only invisible characters (zero-width spaces, joiners…): write it out, or leave "
                "the field out if it is optional")
    return None

def dotted(loc: Iterable) -> str:
    return ".".join(str(p) for p in loc)


def quoted(value: object) -> str:
    """A value quoted in a message: repr, shortened (a 100 KB text is not echoed), true/false/null as YAML."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str) and len(value) > 60:
        return repr(value[:57]) + "…"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)
