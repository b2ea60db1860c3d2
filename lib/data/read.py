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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lib.data.problems import (  # noqa: F401 - re-exported: the names other modules import from here
    MAX_PROBLEMS,
    DatasetError,
    Problem,
    _clip,
    dotted,
    quoted,
    text_problem,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PATH = ROOT / "data" / "provinces.yaml"
ENV_PATH = "PROVINCES_DATA"
ENV_MAX_BYTES = "PROVINCES_MAX_BYTES"
DEFAULT_MAX_BYTES = 5_000_000
# Lists and mappings inside each other: the dataset needs 4 levels; 64 leaves room. (PyYAML's C
# composer, no longer used, recursed per level and crashed the process near 30,000.)
MAX_DEPTH = 64
# Integers with more digits are refused: a float holds 15 significant digits exactly.
MAX_INT_DIGITS = 15


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe C loader, with dates left as text (the models check their shape)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


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
_SKIP = object()  # an event that is no node (document start and end)


class _Refused:
    """A plain scalar that `_build` refuses (the message says why); never stored in the data."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message



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



class _Builder:
    """The state of one `_build` pass: the problems found, the open collections and the root.

    One frame per open collection: [container, key, key_lines, is_key]. In a mapping, `key` is _NOKEY while
    it waits for its next key, else the key whose value is being read; key_lines maps each key to its
    line (for "first at line N"). In a list, the next item's index is len(container).
    is_key: a list or mapping used as a key (refused; read to its end, then the key's value follows)."""

    def __init__(self, name: str):
        self.name = name
        self.problems: list[Problem] = []
        self.total = 0
        self.stack: list[list] = []
        self.root: Any = _NOKEY
        self.documents = 0
        self.cache: dict[str, Any] = {}

    def path(self, extra: tuple = ()) -> str:
        """The field path of the node being read (a list's open item is its last one; the innermost
        list is about to receive the node, at index len(list))."""
        parts: list = []
        stack = self.stack
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

    def add(self, event: Any, message: str, extra: tuple = ()) -> None:
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.name, event.start_mark.line + 1, self.path(extra), message))

    def run(self, get: Any) -> None:
        """Read the events to the end of the stream."""
        while True:
            ev = get()
            cls = ev.__class__
            if cls is _MAP_END or cls is _SEQ_END:
                self.close()
                continue
            if cls is _STREAM_END:
                break
            value = self.value_of(ev, cls)
            if value is _SKIP:
                continue
            if cls is not _ALIAS:
                self.check_marks(ev)
            self.place(ev, cls, value)

    def value_of(self, ev: Any, cls: type) -> Any:
        """The value an event starts (a new container for a collection), or _SKIP (no node)."""
        if cls is _SCALAR:
            return self.scalar(ev)
        if cls is _MAP_START or cls is _SEQ_START:
            if len(self.stack) >= MAX_DEPTH:
                self.add(ev, f"lists and mappings are nested more than {MAX_DEPTH} levels deep here: the "
                         "dataset needs 4; refused before reading further")
                raise DatasetError(self.problems, self.total)
            return {} if cls is _MAP_START else []
        if cls is _ALIAS:
            self.add(ev, f"YAML alias *{_clip(ev.anchor)} is not allowed: the dataset needs no anchors or aliases; "
                     "write the value out")
            return None
        if cls is _DOC_START:
            self.documents += 1
            if self.documents > 1:
                self.add(ev, "a second YAML document starts here (---): the dataset is one document")
                raise DatasetError(self.problems, self.total)
        return _SKIP  # document start, stream start, document end

    def scalar(self, ev: Any) -> Any:
        if not ev.value.isprintable() and (bad := text_problem(ev.value)):  # (isprintable: C, fast)
            self.add(ev, bad)
        if not ev.implicit[0]:
            return ev.value
        raw = ev.value
        value = self.cache.get(raw, _NOKEY)
        if value is _NOKEY:
            value = _plain_value(raw)
            if value.__class__ is not _Refused:
                self.cache[raw] = value
        return value

    def check_marks(self, ev: Any) -> None:
        if ev.tag is not None:
            self.add(ev, f"YAML tag {_clip(_short_tag(ev.tag))} is not allowed: the dataset holds only plain "
                     "values, lists and mappings (no !!python/…, !!binary, !!set, !!str, !!float or custom tags)")
        if ev.anchor is not None:
            self.add(ev, f"YAML anchor &{_clip(ev.anchor)} is not allowed: the dataset needs no anchors or aliases; "
                     "write each value out")

    def close(self) -> None:
        stack = self.stack
        if not stack.pop()[3] and stack and stack[-1][0].__class__ is dict:
            stack[-1][1] = _NOKEY  # the mapping that holds this collection waits for its next key

    def place(self, ev: Any, cls: type, value: Any) -> None:
        """Store the node as a key, a mapping's value, a list's item or the root; open a collection."""
        top = self.stack[-1] if self.stack else None
        is_key = top is not None and top[1] is _NOKEY and top[0].__class__ is dict
        if is_key:
            self.key(ev, cls, value, top)
            if cls is _SCALAR or cls is _ALIAS:
                return
        else:
            self.store(ev, cls, value, top)
        if cls is _MAP_START or cls is _SEQ_START:
            # (a refused collection key gets a fresh container that nothing refers to)
            self.stack.append([value if value.__class__ in (dict, list) else ({} if cls is _MAP_START else []),
                               _NOKEY, {}, is_key])

    def key(self, ev: Any, cls: type, value: Any, top: list) -> None:
        cont = top[0]
        key: Any = object()  # a refused key: read on, store nothing under a real name
        if cls is not _SCALAR:
            self.add(ev, "a key must be a plain name, not a list, a mapping or an alias")
        elif value.__class__ is _Refused:
            self.add(ev, value.message, (ev.value,))
        elif ev.implicit[0] and ev.value == "<<":
            self.add(ev, "the merge key << is not allowed: write the fields out", ("<<",))
        elif value in cont:  # its first line by a lookup (a list scan made 10^5 repeats quadratic)
            if len(self.problems) < MAX_PROBLEMS:
                self.add(ev, f"duplicate key {quoted(ev.value)}: YAML would silently keep only the last one; "
                         f"remove one (first at line {top[2][value]})", (value,))
            else:  # counted only: no message built for a problem nobody will see
                self.total += 1
        else:
            key = value
            top[2][key] = ev.start_mark.line + 1
        top[1] = key

    def store(self, ev: Any, cls: type, value: Any, top: list | None) -> None:
        if value.__class__ is _Refused:
            self.add(ev, value.message)
            value = None
        if top is None:
            if self.root is _NOKEY:
                self.root = value
        elif top[0].__class__ is dict:
            top[0][top[1]] = value
            if cls is _SCALAR or cls is _ALIAS:
                top[1] = _NOKEY  # (a collection keeps its key as part of the path until it ends)
        else:
            top[0].append(value)


def _not_yaml(exc: yaml.YAMLError, text: str, name: str) -> DatasetError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark else None
    position = getattr(exc, "position", None)
    if line is None and isinstance(position, int):
        line = text.encode("utf-8", "replace")[:position].count(b"\n") + 1
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc).splitlines()[0]
    return DatasetError([Problem(name, line, "", f"this is not valid YAML: {problem}")])


def _build(text: str, name: str) -> Any:
    """Parse `text` event by event into plain Python data, refusing on the way — with file, line and
    field — whatever the dataset never needs: nesting deeper than MAX_DEPTH (stops at once), anchors
    and aliases, explicit tags, duplicate keys, merge keys (<<), lists or mappings as keys, more than
    one document, and numbers that are not plain finite decimals."""
    b = _Builder(name)
    loader = _Loader(text)
    gc_was_on = gc.isenabled()
    gc.disable()  # ~10^6 short-lived objects: the cyclic collector would only cost time here
    try:
        b.run(loader.get_event)
    except yaml.YAMLError as exc:
        raise _not_yaml(exc, text, name) from None
    finally:
        loader.dispose()
        if gc_was_on:
            gc.enable()
    if b.problems:
        raise DatasetError(b.problems, b.total)
    if b.root is _NOKEY:
        raise DatasetError([Problem(name, None, "", "the file holds no YAML document (only comments or blank lines)")])
    return b.root


@dataclass
class RawDocument:
    path: Path
    data: dict
    text: str

    def lines_for(self, locs: Iterable[Iterable]) -> dict[tuple, int]:
        """Each path's line (that of its deepest part found in the file), for the paths that have one."""
        from lib.data.lines import lines_for  # (lines imports this module)

        return lines_for(self.text, [tuple(loc) for loc in locs])

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

