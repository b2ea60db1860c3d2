"""Text from outside (a shared link, the dataset) shown or exported as text, never as markup or formulas.

- `md_escape`: for anything that goes through Streamlit's Markdown (st.warning, st.markdown, captions):
  every ASCII punctuation character is backslash-escaped (CommonMark allows this for all of them, and
  each renders as itself), so a value cannot open a link, an image, raw HTML, emphasis, a heading, a
  table, LaTeX (`$`) or a Streamlit directive (`:red[…]`); line breaks and other control characters
  become spaces, so it cannot start a new block either.
- `excerpt`: a short, single-line piece of a value (a 100 KB value is never echoed in full).
- `plot_escape` / `plot_to_text`: dataset text into a Plotly label, and a label back to plain text.
- `wrap_lines`: the one word wrap (chart labels in characters, printed text in pixels).
- `terminal_text`: text for a terminal (the curator commands): control characters, terminal escape
  sequences and bidirectional controls shown as \\x1b, \\u202e… instead of acting on the terminal.
- `neutralise_cell`: a spreadsheet cell that Excel or LibreOffice would read as a formula (or a DDE
  call) gets a leading `'`, which makes it text.
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from collections.abc import Callable

# Every ASCII punctuation character: `\` `*` `_` `[` `]` `(` `)` `<` `>` `!` `#` `|` `~` `$` `:` `&` …
_MD_SPECIAL = frozenset(string.punctuation)
_MD_TABLE = {ord(c): "\\" + c for c in _MD_SPECIAL}

# What starts a formula in Excel/LibreOffice/Google Sheets (and the full-width forms Excel also accepts).
FORMULA_START = frozenset("=+-@\t\r＝＋－＠")


def _plain_line(text: str) -> str:
    """Control characters (line breaks, tabs, NUL …) as spaces; invisible format characters (zero-width
    spaces, bidirectional overrides) removed."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif unicodedata.category(ch) == "Cf":
            continue
        else:
            out.append(" ")
    return "".join(out)


# GitHub-flavoured Markdown also turns bare "http://…", "www.…" and "name@host" into links, escapes or
# not: a word joiner (U+2060, invisible, no width) after the scheme's colon, after "www" and after "@"
# breaks those autolinks without changing what a reader sees.
_WJ = "\u2060"
_AUTOLINK = ((":\\/\\/", ":" + _WJ + "\\/\\/"), ("\\:\\/\\/", "\\:" + _WJ + "\\/\\/"),
             ("www\\.", "www" + _WJ + "\\."), ("WWW\\.", "WWW" + _WJ + "\\."), ("\\@", "\\@" + _WJ))


def md_escape(text: object) -> str:
    """`text` as a Markdown string that renders exactly as the text, on one line, with no markup and
    no link (not even an autolinked bare URL or e-mail address)."""
    out = _plain_line(str(text)).translate(_MD_TABLE)
    for old, new in _AUTOLINK:
        out = out.replace(old, new)
    return out


def excerpt(text: object, n: int = 40) -> str:
    """At most `n` characters of `text` on one line (spaces collapsed), with "…" when it was cut."""
    s = str(text)
    head = _plain_line(s[: 4 * n + 8])  # bounded work whatever the length of `s`
    short = " ".join(head.split())
    if len(short) > n or len(s) > len(head):
        return short[:n].rstrip() + "…"
    return short


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with `'`; anything else unchanged
    (numbers stay numbers: -5 is a number, "-5" and "=1+1" are text)."""
    if isinstance(value, str) and value and (value[0] in FORMULA_START or value.lstrip()[:1] in FORMULA_START):
        return "'" + value
    return value


def is_formula_like(value: object) -> bool:
    """True for a text cell that `neutralise_cell` would change."""
    return neutralise_cell(value) is not value


def plot_escape(text: object) -> str:
    """`text` for a Plotly label (titles, ticks, legends, hovers, annotations, and so the SVG export):
    Plotly reads `<a href>`, `<b>`, `<br>`, `<span style>`… in any label, so `&`, `<` and `>` become
    entities, which it shows as the characters themselves. Our own `<br>`/`<b>` markup is added around
    escaped text, never inside it."""
    return _plain_line(str(text)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_BREAK_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")


def plot_to_text(label: object, sep: str = " — ") -> str:
    """A Plotly label (built with `plot_escape` plus our own `<br>`, `<b>`, `<sup>`) as plain text, for
    page text, print titles and slides: our line breaks become `sep`, our tags go, and the escaped
    characters come back. Dataset text cannot lose anything here: its `<` and `>` are entities by now.

    >>> plot_to_text("Tương quan · 2023<br><sup>A &amp; B ↔ C</sup>")
    'Tương quan · 2023 — A & B ↔ C'
    """
    return html.unescape(_TAG_RE.sub("", _BREAK_RE.sub(sep, str(label))))


def wrap_lines(text: str, limit: float, *, measure: Callable[[str], float] = len, break_long: bool = True
               ) -> list[str]:
    """Greedy word wrap into lines no longer than `limit` by `measure` (characters, or a font's pixels);
    explicit newlines are kept and empty lines dropped. A word longer than a line is cut where it must be
    (`break_long`, e.g. a URL in print) or left whole on its own line (a province name on an axis)."""
    lines: list[str] = []
    for para in str(text or "").split("\n"):
        line = ""
        for word in para.split():
            candidate = f"{line} {word}" if line else word
            if measure(candidate) <= limit:
                line = candidate
                continue
            if line:
                lines.append(line)
            while break_long and len(word) > 1 and measure(word) > limit:
                k = max(1, min(len(word) - 1, int(len(word) * limit / measure(word))))
                while k > 1 and measure(word[:k]) > limit:
                    k -= 1
                while k < len(word) - 1 and measure(word[:k + 1]) <= limit:
                    k += 1
                lines.append(word[:k])
                word = word[k:]
            line = word
        if line:
            lines.append(line)
    return lines


# C0 controls but tab and line feed, DEL, C1 controls (a terminal obeys ESC and CSI sequences made of them),
# and the bidirectional controls that reorder what a terminal shows (Trojan Source).
_TERMINAL = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0))}
_TERMINAL.update({c: f"\\u{c:04x}" for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F),
                                               *range(0x2066, 0x206A))})


def terminal_text(text: str) -> str:
    """`text` safe to print on a terminal: every control character shown as an escape, never obeyed."""
    return text.translate(_TERMINAL)
