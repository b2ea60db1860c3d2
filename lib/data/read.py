"""Reading data/provinces.yaml safely: one pass over libyaml's event stream, and the line index.

`read_document` refuses on the way what the dataset never needs (deep nesting, anchors and aliases,
tags, duplicate keys, numbers that are not plain finite decimals…) and keeps the text, so that the
checks (lib.data.checks) can name each problem's line (`RawDocument.lines_for`). `Problem` and
`DatasetError` are how every stage reports. Nothing here imports Streamlit.
"""

from __future__ import annotations

import gc
import math
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = ROOT / "data" / "provinces.yaml"
ENV_PATH = "PROVINCES_DATA"
ENV_MAX_BYTES = "PROVINCES_MAX_BYTES"
DEFAULT_MAX_BYTES = 5_000_000
# Lists and mappings inside each other: the dataset needs 4 levels; 64 leaves room. (PyYAML's C
# composer, no longer used, recursed per level and crashed the process near 30,000.)
MAX_DEPTH = 64
# A report lists at most this many problems, then says how many more there are.
MAX_PROBLEMS = 200
# Integers with more digits are refused: a float holds 15 significant digits exactly.
MAX_INT_DIGITS = 15


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe C loader, with dates left as text (the models check their shape)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


# --- Problems ------------------------------------------------------------------------------------


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


# --- Reading the file ------------------------------------------------------------------------------


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """The dataset to use: the argument, else $PROVINCES_DATA, else data/provinces.yaml."""
    chosen = path or os.environ.get(ENV_PATH) or DEFAULT_PATH
    return Path(chosen)


def max_bytes_limit(max_bytes: int | None = None) -> int:
    if max_bytes is not None:
        return max_bytes
    env = os.environ.get(ENV_MAX_BYTES)
    return int(env) if env and env.isascii() and env.isdigit() else DEFAULT_MAX_BYTES


# The event scan below builds the data itself (it never calls the composer or the constructor): the
# events come from libyaml's parser, which keeps its own stack and never recurses.
_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAP_START, _SEQ_START = yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAP_END, _SEQ_END = yaml.MappingEndEvent, yaml.SequenceEndEvent
_DOC_START, _STREAM_END = yaml.DocumentStartEvent, yaml.StreamEndEvent
_RESOLVERS = {
    first: [(tag.rsplit(":", 1)[-1], rx) for tag, rx in resolvers]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_BOOL = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
_NOKEY = object()  # a mapping frame waiting for its next key


class _Refused:
    """A plain scalar that `_build` refuses (the message says why); never stored in the data."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


def _clip(text: str, n: int = 60) -> str:
    """Text from the file, quoted in a message: at most `n` characters (a message never echoes 100 KB)."""
    return text if len(text) <= n else text[: n - 1] + "…"


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _yaml11_int(text: str) -> str:
    """What PyYAML would make of an int in YAML 1.1 form (017 -> 15, 1:30 -> 90, 0x1F -> 31)."""
    try:
        return str(yaml.constructor.SafeConstructor.construct_yaml_int(
            yaml.SafeLoader(""), yaml.ScalarNode("tag:yaml.org,2002:int", text)))
    except Exception:  # noqa: BLE001 - only for the message
        return "something else"


def _plain_value(text: str) -> Any:
    """A plain (unquoted) scalar as YAML 1.1 reads it — null, bool, int, float or text — or _Refused
    for numbers that would not mean what they seem to (NaN, infinity, 017, 1:30, 0x1F, 1_000)."""
    resolvers = _RESOLVERS.get(text[0] if text else "")
    if not resolvers:
        return text
    for kind, rx in resolvers:
        if not rx.match(text):
            continue
        if kind == "null":
            return None
        if kind == "bool":
            return _BOOL[text.lower()]
        if kind == "int":
            if not _PLAIN_INT.match(text):
                return _Refused(f"{_clip(text)} is a number in a YAML 1.1 form (octal, hexadecimal, binary, base 60 "
                                f"or with _) that YAML reads as {_clip(_yaml11_int(text))}: write plain decimal digits "
                                "(or quote it if it is text)")
            if len(text.lstrip("+-")) > MAX_INT_DIGITS:
                return _Refused(f"the number {text[:20]}… has more than {MAX_INT_DIGITS} digits: "
                                "no source states a value that precisely")
            return int(text)
        if kind == "float":
            if "_" in text or ":" in text:
                return _Refused(f"{_clip(text)} is a number in a YAML 1.1 form (base 60 or with _): "
                                "write plain decimal digits")
            low = text.lower()
            value = float(low.replace(".inf", "inf").replace(".nan", "nan"))
            if not math.isfinite(value):
                return _Refused(f"{_clip(text)} is not a number a source can state (NaN or infinity)")
            return value
        return text  # merge (<<), value (=) and yaml (! & *) as a value are just text
    return text


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


def _build(text: str, name: str) -> Any:
    """Parse `text` event by event into plain Python data, refusing on the way — with file, line and
    field — whatever the dataset never needs: nesting deeper than MAX_DEPTH (stops at once), anchors
    and aliases, explicit tags, duplicate keys, merge keys (<<), lists or mappings as keys, more than
    one document, and numbers that are not plain finite decimals."""
    problems: list[Problem] = []
    total = 0
    # One frame per open collection: [container, key, key_lines, is_key]. In a mapping, `key` is _NOKEY while
    # it waits for its next key, else the key whose value is being read; key_lines maps each key to its
    # line (for "first at line N"). In a list, the next item's index is len(container).
    # is_key: a list or mapping used as a key (refused; read to its end, then the key's value follows).
    stack: list[list] = []
    root: Any = _NOKEY
    documents = 0
    cache: dict[str, Any] = {}

    def path(extra: tuple = ()) -> str:
        """The field path of the node being read (a list's open item is its last one; the innermost
        list is about to receive the node, at index len(list))."""
        parts: list = []
        last = len(stack) - 1
        for n, (cont, key, _, _) in enumerate(stack):
            if cont.__class__ is dict:
                if key is not _NOKEY:
                    parts.append(key if isinstance(key, (str, int)) else "?")
            else:
                parts.append(len(cont) if n == last else len(cont) - 1)
        parts += extra
        if len(parts) > 8:  # (only a refused, too deeply nested file has such paths)
            parts = parts[:4] + ["…"] + parts[-2:]
        return dotted(parts)

    def add(event: Any, message: str, extra: tuple = ()) -> None:
        nonlocal total
        total += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(Problem(name, event.start_mark.line + 1, path(extra), message))

    loader = _Loader(text)
    get = loader.get_event
    gc_was_on = gc.isenabled()
    gc.disable()  # ~10^6 short-lived objects: the cyclic collector would only cost time here
    try:
        while True:
            ev = get()
            cls = ev.__class__
            if cls is _SCALAR:
                if not ev.value.isprintable() and (bad := text_problem(ev.value)):  # (isprintable: C, fast)
                    add(ev, bad)
                if ev.implicit[0]:
                    raw = ev.value
                    value = cache.get(raw, _NOKEY)
                    if value is _NOKEY:
                        value = _plain_value(raw)
                        if value.__class__ is not _Refused:
                            cache[raw] = value
                else:
                    value = ev.value
            elif cls is _MAP_END or cls is _SEQ_END:
                if not stack.pop()[3] and stack and stack[-1][0].__class__ is dict:
                    stack[-1][1] = _NOKEY  # the mapping that holds this collection waits for its next key
                continue
            elif cls is _MAP_START or cls is _SEQ_START:
                if len(stack) >= MAX_DEPTH:
                    add(ev, f"lists and mappings are nested more than {MAX_DEPTH} levels deep here: the "
                        "dataset needs 4; refused before reading further")
                    raise DatasetError(problems, total)
                value = {} if cls is _MAP_START else []
            elif cls is _ALIAS:
                add(ev, f"YAML alias *{_clip(ev.anchor)} is not allowed: the dataset needs no anchors or aliases; "
                    "write the value out")
                value = None
            elif cls is _DOC_START:
                documents += 1
                if documents > 1:
                    add(ev, "a second YAML document starts here (---): the dataset is one document")
                    raise DatasetError(problems, total)
                continue
            elif cls is _STREAM_END:
                break
            else:  # stream start, document end
                continue
            if cls is not _ALIAS:
                if ev.tag is not None:
                    add(ev, f"YAML tag {_clip(_short_tag(ev.tag))} is not allowed: the dataset holds only plain "
                        "values, lists and mappings (no !!python/…, !!binary, !!set, !!str, !!float or custom tags)")
                if ev.anchor is not None:
                    add(ev, f"YAML anchor &{_clip(ev.anchor)} is not allowed: the dataset needs no anchors or aliases; "
                        "write each value out")

            top = stack[-1] if stack else None
            is_key = top is not None and top[1] is _NOKEY and top[0].__class__ is dict
            if is_key:
                cont = top[0]
                key: Any = object()  # a refused key: read on, store nothing under a real name
                if cls is not _SCALAR:
                    add(ev, "a key must be a plain name, not a list, a mapping or an alias")
                elif value.__class__ is _Refused:
                    add(ev, value.message, (ev.value,))
                elif ev.implicit[0] and ev.value == "<<":
                    add(ev, "the merge key << is not allowed: write the fields out", ("<<",))
                elif value in cont:  # its first line by a lookup (a list scan made 10^5 repeats quadratic)
                    if len(problems) < MAX_PROBLEMS:
                        add(ev, f"duplicate key {quoted(ev.value)}: YAML would silently keep only the last one; "
                            f"remove one (first at line {top[2][value]})", (value,))
                    else:  # counted only: no message built for a problem nobody will see
                        total += 1
                else:
                    key = value
                    top[2][key] = ev.start_mark.line + 1
                top[1] = key
                if cls is _SCALAR or cls is _ALIAS:
                    continue
            else:
                if value.__class__ is _Refused:
                    add(ev, value.message)
                    value = None
                if top is None:
                    if root is _NOKEY:
                        root = value
                elif top[0].__class__ is dict:
                    top[0][top[1]] = value
                    if cls is _SCALAR or cls is _ALIAS:
                        top[1] = _NOKEY  # (a collection keeps its key as part of the path until it ends)
                else:
                    top[0].append(value)
            if cls is _MAP_START or cls is _SEQ_START:
                # (a refused collection key gets a fresh container that nothing refers to)
                stack.append([value if value.__class__ in (dict, list) else ({} if cls is _MAP_START else []),
                              _NOKEY, {}, is_key])
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        position = getattr(exc, "position", None)
        if line is None and isinstance(position, int):
            line = text.encode("utf-8", "replace")[:position].count(b"\n") + 1
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]
        raise DatasetError([Problem(name, line, "", f"this is not valid YAML: {problem}")]) from None
    finally:
        loader.dispose()
        if gc_was_on:
            gc.enable()
    if problems:
        raise DatasetError(problems, total)
    if root is _NOKEY:
        raise DatasetError([Problem(name, None, "", "the file holds no YAML document (only comments or blank lines)")])
    return root


def _lines_for(text: str, locs: Iterable[tuple]) -> dict[tuple, int]:
    """The 1-based line of each path in `locs` that exists in the document (a key's own line — the
    first one where a key repeats —, a list item's first line), and of each of their prefixes.
    One event pass over a document that `_build` accepted (no aliases, at most MAX_DEPTH levels),
    following only the wanted paths: its cost does not grow with the number of problems."""
    locs = list(locs)
    if not locs:
        return {}
    trie: dict = {}
    wanted = 1
    for loc in locs:
        node = trie
        for part in loc:
            if part not in node:
                wanted += 1
            node = node.setdefault(part, {})
    found: dict[int, int] = {}  # id(trie node) -> line
    cache: dict[str, Any] = {}
    # frames [trie node of the collection (None: not wanted), is_map, waiting_for_key, child trie, index]
    stack: list[list] = []
    loader = _Loader(text)
    get = loader.get_event
    try:
        while True:
            ev = get()
            cls = ev.__class__
            if cls is _MAP_END or cls is _SEQ_END:
                stack.pop()
                if stack and stack[-1][1]:
                    stack[-1][2] = True
                continue
            if cls is _STREAM_END or len(found) == wanted:
                break
            if cls is not _SCALAR and cls is not _MAP_START and cls is not _SEQ_START:
                continue
            here = trie if not stack else None
            if stack:
                top = stack[-1]
                if top[1]:
                    if top[2]:  # a key
                        if cls is _SCALAR and top[0] is not None:
                            raw = ev.value
                            key = raw
                            if ev.implicit[0]:
                                key = cache.get(raw, _NOKEY)
                                if key is _NOKEY:
                                    key = cache[raw] = _plain_value(raw)
                            child = top[0].get(key) if key.__class__ is not _Refused else None
                            if child is not None and id(child) not in found:
                                found[id(child)] = ev.start_mark.line + 1
                            top[3] = child
                        else:
                            top[3] = None
                        top[2] = False
                        continue
                    here = top[3]
                    if cls is _SCALAR:
                        top[2] = True
                else:
                    here = top[0].get(top[4]) if top[0] is not None else None
                    if here is not None and id(here) not in found:
                        found[id(here)] = ev.start_mark.line + 1
                    top[4] += 1
            elif id(trie) not in found:
                found[id(trie)] = ev.start_mark.line + 1
            if cls is not _SCALAR:
                stack.append([here, cls is _MAP_START, True, None, 0])
    except yaml.YAMLError:
        pass  # (the document was read once already; lines are a courtesy)
    finally:
        loader.dispose()
    out: dict[tuple, int] = {}
    for loc in locs:
        node, line = trie, found.get(id(trie))
        for part in loc:
            node = node.get(part)
            if node is None or id(node) not in found:
                break
            line = found[id(node)]
        if line is not None:
            out[loc] = line
    return out


@dataclass
class RawDocument:
    path: Path
    data: dict
    text: str

    def lines_for(self, locs: Iterable[Iterable]) -> dict[tuple, int]:
        """Each path's line (that of its deepest part found in the file), for the paths that have one."""
        return _lines_for(self.text, [tuple(loc) for loc in locs])

    def line(self, loc: Iterable) -> int | None:
        """The line of the deepest known part of `loc` (one pass over the file: batch with lines_for)."""
        loc = tuple(loc)
        return self.lines_for([loc]).get(loc)


def read_document(path: str | os.PathLike | None = None, *, max_bytes: int | None = None,
                  raw: bytes | None = None) -> RawDocument:
    """Read and parse the YAML safely; refuse empty, oversized, non-YAML, deeply nested, aliased,
    tagged and duplicate-key input. `raw`: the file's bytes, already read by the caller."""
    path = resolve_path(path)
    name = str(path)
    fail = lambda msg, line=None: DatasetError([Problem(name, line, "", msg)])  # noqa: E731
    if raw is None:
        if not path.exists():
            raise fail("the file does not exist")
        if not path.is_file():
            raise fail("this is not a file")
    limit = max_bytes_limit(max_bytes)
    try:
        size = len(raw) if raw is not None else path.stat().st_size
        if size > limit:
            raise fail(f"the file is {size:,} bytes, over the limit of {limit:,} bytes "
                       f"(raise it with {ENV_MAX_BYTES} if this is intended)")
        if raw is None:
            raw = path.read_bytes()
    except OSError as exc:  # permission denied, a folder, an I/O error: the problems list, never a traceback
        raise fail(f"the file cannot be read: {exc.strerror or type(exc).__name__} (check its permissions "
                   "and that the server's user may read it)") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"the file is not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise fail("the file is empty")
    data = _build(text, name)
    if not isinstance(data, dict):
        raise fail("the top level must be a mapping with the sections schema_version, dataset, "
                   f"regions, indicators, sources, observations, events and units (found {type(data).__name__})", 1)
    doc = RawDocument(path, data, text)
    return doc


# --- Text in messages ------------------------------------------------------------------------------


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
