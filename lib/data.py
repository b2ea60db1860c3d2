"""Load data/provinces.yaml safely, validate it in one pass, and turn it into tidy pandas frames.

The file is read in one pass over libyaml's event stream (`_build`), which refuses on the way what the
dataset never needs (deep nesting, anchors and aliases, tags, duplicate keys…), then checked by the
pydantic models (lib.schema) and `cross_check`. Every problem names the file, the line (from the event
marks) and the field path, so a curator can go straight to it. Nothing here imports Streamlit.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
import yaml
from pydantic import TypeAdapter, ValidationError

from lib.schema import (ADMIN_CODE_PATTERN, DATE_PATTERN, NONBLANK, SLUG_PATTERN, URL_PATTERN, Dataset, Event,
                        Indicator, Observation, Region, Source, Unit)

ROOT = Path(__file__).resolve().parents[1]
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
# Dates before this year cannot be about digital government in Vietnam's provinces.
EARLIEST_YEAR = 1945


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


def _build(text: str, name: str) -> Any:
    """Parse `text` event by event into plain Python data, refusing on the way — with file, line and
    field — whatever the dataset never needs: nesting deeper than MAX_DEPTH (stops at once), anchors
    and aliases, explicit tags, duplicate keys, merge keys (<<), lists or mappings as keys, more than
    one document, and numbers that are not plain finite decimals."""
    problems: list[Problem] = []
    total = 0
    # One frame per open collection: [container, key, key_lines, is_key]. In a mapping, `key` is _NOKEY while
    # it waits for its next key, else the key whose value is being read; key_lines holds each key's line
    # in insertion order (for "first at line N"). In a list, the next item's index is len(container).
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
        return _dotted(parts)

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
                    add(ev, f"YAML tag {_clip(_short_tag(ev.tag))} is not allowed: the dataset holds only plain values, "
                        "lists and mappings (no !!python/…, !!binary, !!set, !!str, !!float or custom tags)")
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
                elif value in cont:
                    first = top[2][list(cont).index(value)]
                    add(ev, f"duplicate key {_shown(ev.value)}: YAML would silently keep only the last one; "
                        f"remove one (first at line {first})", (value,))
                else:
                    key = value
                top[1] = key
                top[2].append(ev.start_mark.line + 1)
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
                              _NOKEY, [], is_key])
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
    size = len(raw) if raw is not None else path.stat().st_size
    if size > limit:
        raise fail(f"the file is {size:,} bytes, over the limit of {limit:,} bytes "
                   f"(raise it with {ENV_MAX_BYTES} if this is intended)")
    if raw is None:
        raw = path.read_bytes()
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


# --- Validation -------------------------------------------------------------------------------------


def _dotted(loc: Iterable) -> str:
    return ".".join(str(p) for p in loc)


def _is_branch_label(part: object) -> bool:
    """pydantic adds union branches ('bool', 'float', 'function-after[...]') to error paths: not fields."""
    return isinstance(part, str) and (part in ("bool", "float", "str", "int") or part.startswith("function-"))


def _shown(value: object) -> str:
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


_NUMBER_TEXT = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*\Z")


def _message(err: dict) -> str:
    """pydantic's message for one error, rewritten in words a curator can act on."""
    kind, msg = err["type"], err["msg"]
    value = err.get("input")
    got = f" (got {_shown(value)})" if "input" in err else ""
    if kind == "extra_forbidden":
        return "unknown key (not part of the format; check its spelling)"
    if kind == "missing":
        return "this required field is missing"
    if kind in ("float_type", "int_type", "float_parsing", "int_parsing", "int_from_float"):
        what = "a whole number" if kind.startswith("int") else "a number"
        if isinstance(value, bool):
            return f"{what} is expected, not true/false{got}"
        if isinstance(value, str):
            if _NUMBER_TEXT.match(value) or value.strip().lower() in ("nan", "inf", "-inf", "+inf", "infinity"):
                return f"{what} written as text{got}: write it without quotes"
            return f"{what} is expected, not text{got}"
        return f"{what} is expected{got}"
    if kind == "finite_number":
        return f"NaN or infinity is not a number a source can state{got}"
    if kind == "bool_type":
        return f"true or false is expected{got}"
    if kind == "string_type":
        if isinstance(value, bool):
            return (f"text is expected, but YAML reads the unquoted word as {_shown(value)} "
                    "(yes/no/on/off/true/false): put it in quotes")
        return f"text is expected{got}"
    if kind == "list_type":
        return f"a list is expected{got}: write it in brackets, [a, b]"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"a mapping is expected{got}: write it as {{key: value, …}}"
    if kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        if pattern == NONBLANK:
            return "this text is empty or only spaces: write it out, or leave the field out if it is optional"
        if pattern == DATE_PATTERN:
            return (f"a date must match the pattern YYYY, YYYY-MM or YYYY-MM-DD, with the digits 0–9{got}")
        if pattern == URL_PATTERN:
            return f"a URL must start with http:// or https://{got}"
        if pattern == SLUG_PATTERN:
            return f"a code is made of a–z, 0–9, - and _ (starting with a letter or digit){got}"
        if pattern == ADMIN_CODE_PATTERN:
            return f"an administrative code is two digits 0–9, quoted (\"01\"){got}"
    if "input" in err and not isinstance(value, (dict, list)):
        return f"{msg}{got}"
    return msg


_REF = "\x00{}\x00"  # in a pending message: the line of its n-th reference, filled in by _resolve


def _resolve(doc: RawDocument, pending: list[tuple[tuple, str, tuple]]) -> tuple[list[Problem], int]:
    """(Problems, total) from (loc, message, referenced locs): lines are looked up in one pass over
    the file, and only for the first MAX_PROBLEMS problems (the rest are counted)."""
    if not pending:
        return [], 0
    shown = pending[:MAX_PROBLEMS]
    lines = doc.lines_for([loc for loc, _, _ in shown] + [r for _, _, refs in shown for r in refs])
    problems = []
    for loc, message, refs in shown:
        for n, ref in enumerate(refs):
            message = message.replace(_REF.format(n), str(lines.get(ref, "?")))
        problems.append(Problem(str(doc.path), lines.get(loc), _dotted(loc), message))
    return problems, len(pending)


# The list sections are validated in chunks: a file of 10^5 bad records stops converting pydantic's
# errors once MAX_PROBLEMS are in hand (converting millions of them would take seconds and gigabytes)
# and only counts the rest.
_SECTIONS = {name: TypeAdapter(list[model]) for name, model in (
    ("regions", Region), ("indicators", Indicator), ("sources", Source), ("observations", Observation),
    ("events", Event), ("units", Unit))}
_CHUNK = 2_000


def _validate(doc: RawDocument) -> Dataset:
    """The pydantic models over the parsed data; DatasetError listing the first MAX_PROBLEMS problems
    (one per field) and counting all of them."""
    data = doc.data
    pending: list[tuple[tuple, dict]] = []
    total = 0

    def collect(exc: ValidationError, prefix: tuple, offset: int = 0) -> None:
        nonlocal total
        total += exc.error_count()
        if len(pending) >= MAX_PROBLEMS:
            return
        for err in exc.errors(include_url=False):
            loc = err["loc"]
            if loc and loc[-1].__class__ is str and _is_branch_label(loc[-1]):
                loc = tuple(p for p in loc if not _is_branch_label(p))
            if prefix:
                loc = prefix + ((offset + loc[0],) + loc[1:] if loc else ())
            pending.append((loc, err))

    head = dict(data)
    lists = {}
    for name in _SECTIONS:
        if isinstance(data.get(name), list):
            lists[name] = data[name]
            head[name] = []  # validated below, in chunks
    try:
        ds = Dataset.model_validate(head)
    except ValidationError as exc:
        ds = None
        collect(exc, ())
    parts: dict[str, list] = {}
    for name, items in lists.items():
        adapter, out = _SECTIONS[name], []
        for start in range(0, len(items), _CHUNK):
            try:
                out += adapter.validate_python(items[start:start + _CHUNK])
            except ValidationError as exc:
                collect(exc, (name,), start)
        parts[name] = out
    if pending or ds is None:
        seen: set[tuple] = set()
        unique = [(loc, err) for loc, err in pending if not (loc in seen or seen.add(loc))]
        problems, _ = _resolve(doc, [(loc, _message(err), ()) for loc, err in unique[:MAX_PROBLEMS]])
        raise DatasetError(problems, max(total - (len(pending) - len(unique)), len(unique)))
    return ds.model_copy(update=parts)


@dataclass(frozen=True)
class DateSpan:
    start: dt.date
    end: dt.date
    precision: str  # "day" | "month" | "year"


def parse_date(text: str) -> DateSpan:
    """'2020', '2020-09' or '2020-09-24' as the span it covers; ValueError if it is no real date.
    Only the digits 0–9 count (int() alone would take '٢٠٢٠')."""
    if not text.isascii():
        raise ValueError(f"not ASCII: {text!r}")
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return DateSpan(dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), "year")
    if len(parts) == 2:
        start = dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return DateSpan(start, nxt - dt.timedelta(days=1), "month")
    day = dt.date(*parts)
    return DateSpan(day, day, "day")


def plot_date(span: DateSpan) -> dt.date:
    """Where a value sits on a time axis: the day; mid-month; 30 June for a whole year."""
    if span.precision == "day":
        return span.start
    if span.precision == "month":
        return span.start.replace(day=15)
    return dt.date(span.start.year, 6, 30)


def _num(x: float) -> str:
    """A number as written, without float noise: 100.0001 stays 100.0001 (`:g` would print 100)."""
    return f"{x:.15g}"


def cross_check(ds: Dataset, doc: RawDocument) -> tuple[list[Problem], int]:
    """Everything pydantic cannot see alone: references, duplicates, bounds, dates, validity, mergers.
    Returns (the problems, at most MAX_PROBLEMS of them; how many there are in all)."""
    pending: list[tuple[tuple, str, tuple]] = []

    def add(loc: tuple, message: str, refs: tuple = ()) -> None:
        pending.append((loc, message, refs))

    parsed: dict[str, DateSpan | None] = {}  # each distinct date text parsed once
    latest: dt.date | None = None  # the dataset's `updated` date plus one year

    def check_date(loc: tuple, text: str | None) -> DateSpan | None:
        if text is None:
            return None
        span = parsed.get(text, _NOKEY)
        if span is _NOKEY:
            try:
                span = parse_date(text)
            except ValueError:
                span = None
            parsed[text] = span
        if span is None:
            add(loc, f"the date {_shown(text)} does not exist (use YYYY, YYYY-MM or YYYY-MM-DD)")
        elif span.start.year < EARLIEST_YEAR:
            add(loc, f"the date {text} is before {EARLIEST_YEAR}: no source on digital government dates "
                "that early; check the year")
        elif latest is not None and span.start > latest:
            add(loc, f"the date {text} is more than a year after the dataset's `updated` date "
                f"({ds.dataset.updated}): check the year, or update `updated`")
        return span

    def unique(section: str, key: str, items: list) -> dict:
        out: dict = {}
        for i, item in enumerate(items):
            k = getattr(item, key)
            if k in out:
                add((section, i, key), f"duplicate {key} {_shown(k)} (first used at line {_REF.format(0)})",
                    ((section, out[k][0], key),))
            else:
                out[k] = (i, item)
        return {k: v[1] for k, v in out.items()}

    regions = unique("regions", "id", ds.regions)
    indicators = unique("indicators", "id", ds.indicators)
    sources = unique("sources", "id", ds.sources)
    units = unique("units", "code", ds.units)
    unique("events", "id", ds.events)

    updated = check_date(("dataset", "updated"), ds.dataset.updated)
    if updated is not None:
        if updated.start.year > dt.date.today().year + 1:
            add(("dataset", "updated"), f"the date {ds.dataset.updated} is in the future: write the day "
                "the dataset was last updated")
        else:
            u = updated.end
            latest = dt.date(u.year + 1, u.month, 28 if (u.month, u.day) == (2, 29) else u.day)
    for i, ind in enumerate(ds.indicators):
        weight = ind.combine.weight
        if weight:
            loc = ("indicators", i, "combine", "weight")
            if weight == ind.id:
                add(loc, f"{_shown(ind.id)} cannot be its own weight: a weighted mean needs a count (the number "
                    "of services, households…) as weight")
            elif weight not in indicators:
                add(loc, f"unknown indicator {_shown(weight)} as weight")
            elif indicators[weight].kind != "count":
                add(loc, f"the weight {_shown(weight)} is a {indicators[weight].kind}, not a count: a weighted mean "
                    "needs a count (the number of services, households…) as weight")
        if ind.parent and ind.parent not in indicators:
            add(("indicators", i, "parent"), f"unknown indicator {_shown(ind.parent)}")
        if ind.published_rank and (ind.published_rank not in indicators or indicators[ind.published_rank].kind != "rank"):
            add(("indicators", i, "published_rank"), f"{_shown(ind.published_rank)} is not a rank indicator of the registry")
        if ind.min is not None and ind.max is not None and ind.min > ind.max:
            add(("indicators", i, "min"), f"min {_num(ind.min)} is above max {_num(ind.max)}")
        if ind.kind == "percent" and ((ind.min or 0) < 0 or (ind.max if ind.max is not None else 100) > 100):
            add(("indicators", i, "max"), "a percent indicator must stay within 0–100")
        if ind.kind in ("rank", "milestone") and ind.combine.rule != "none":
            add(("indicators", i, "combine", "rule"), f"a {ind.kind} can never be combined: use rule none")

    for i, src in enumerate(ds.sources):
        check_date(("sources", i, "published"), src.published)
        check_date(("sources", i, "accessed"), src.accessed)
        if not src.url and not src.file:
            add(("sources", i, "url"), "a source needs a `url` or, for a stored article, a `file`")

    spans: dict[str, tuple[dt.date | None, dt.date | None]] = {}
    for i, unit in enumerate(ds.units):
        start = check_date(("units", i, "valid_from"), unit.valid_from)
        end = check_date(("units", i, "valid_to"), unit.valid_to)
        spans[unit.code] = (start.start if start else None, end.end if end else None)
        if start and end and start.start > end.end:
            add(("units", i, "valid_to"), f"valid_to {unit.valid_to} is before valid_from {unit.valid_from}")
        if unit.region not in regions:
            add(("units", i, "region"), f"unknown region {_shown(unit.region)}")
        if unit.merger_source and unit.merger_source not in sources:
            add(("units", i, "merger_source"), f"unknown source {_shown(unit.merger_source)}")
        merged = check_date(("units", i, "merged_on"), unit.merged_on)
        if unit.successor:
            succ = units.get(unit.successor)
            if succ is None:
                add(("units", i, "successor"), f"the merger points to unit {_shown(unit.successor)}, which does not exist")
            elif succ.code == unit.code:
                add(("units", i, "successor"), "a unit cannot be its own successor")
            elif merged and succ.valid_from and succ.valid_from != unit.merged_on:
                add(("units", i, "merged_on"), f"merged on {unit.merged_on}, but successor {_shown(succ.code)} "
                    f"starts on {succ.valid_from}")

    # Successors form chains old -> new; a chain that comes back to itself (a -> b -> a) has no end.
    in_cycle: set[str] = set()
    for i, unit in enumerate(ds.units):
        chain, code = [], unit.code
        while code in units and units[code].successor and code not in chain and code not in in_cycle:
            chain.append(code)
            code = units[code].successor
        if code in chain and len(chain) - chain.index(code) > 1:  # (a unit as its own successor: above)
            cycle = chain[chain.index(code):]
            in_cycle.update(cycle)
            first = next(j for j, u in enumerate(ds.units) if u.code == cycle[0])
            add(("units", first, "successor"), "the mergers form a cycle: " + " → ".join(cycle + [cycle[0]])
                + "; a successor is the unit that exists after the merger")

    # The unit counts a rank can be out of: the view before 1/7/2025 (units with no valid_from: 63 in the
    # real data) and after it (no valid_to: 34). Counted, not assumed, so other unit sets validate too.
    n_before = sum(1 for u in ds.units if u.valid_from is None)
    n_after = sum(1 for u in ds.units if u.valid_to is None)

    def within(code: str, span: DateSpan, *, grace_days: int = 0) -> bool:
        start, end = spans.get(code, (None, None))
        if end and span.start > end + dt.timedelta(days=grace_days):
            return False
        if start and span.end < start:
            return False
        return True

    def validity_text(code: str) -> str:
        u = units[code]
        return f"{u.valid_from or '…'} – {u.valid_to or 'nay/now'}"

    seen: dict[tuple, int] = {}
    for i, obs in enumerate(ds.observations):
        loc = ("observations", i)
        ind = indicators.get(obs.indicator)
        if obs.unit not in units:
            add(loc + ("unit",), f"unknown unit {_shown(obs.unit)}")
        if ind is None:
            add(loc + ("indicator",), f"unknown indicator {_shown(obs.indicator)}")
        if obs.source not in sources:
            add(loc + ("source",), f"unknown source {_shown(obs.source)}")
        span = check_date(loc + ("date",), obs.date)
        if obs.out_of is not None and obs.out_of != n_before and obs.out_of != n_after:
            add(loc + ("out_of",), f"out_of {obs.out_of} is not a number of units of this dataset: "
                f"{n_before} (the units before 1/7/2025) or {n_after} (after)")
        basis = obs.basis or (obs.out_of if obs.out_of in (63, 34) else None)
        if obs.basis and obs.out_of and obs.basis != obs.out_of:
            add(loc + ("basis",), f"basis {obs.basis} disagrees with out_of {obs.out_of}")
        key = (obs.unit, obs.indicator, obs.date, basis)
        if key in seen:
            add(loc, f"duplicate observation of {_shown(obs.indicator)} for {_shown(obs.unit)} on {obs.date}"
                f"{f' (basis {basis})' if basis else ''} (also at line {_REF.format(0)})", (("observations", seen[key]),))
        else:
            seen[key] = i
        unit = units.get(obs.unit)
        if unit is not None and basis:
            era = "pre" if unit.valid_to else ("post" if unit.valid_from else "both")
            if (era, basis) in (("pre", 34), ("post", 63)):
                add(loc + ("basis",), f"unit {_shown(obs.unit)} is one of the {'63 provinces before' if era == 'pre' else '34 units after'} "
                    f"1/7/2025: it cannot carry a value on the {basis}-unit basis")
        # A value measured on the 34 units' territory for a year before they existed (DTI 2024, published
        # after the merger) is the one exception to the validity rule, and only with `basis: 34`.
        retro = basis == 34 and unit is not None and unit.valid_from is not None and not unit.valid_to
        if span and obs.unit in units and not within(obs.unit, span) and not (retro and span.end < spans[obs.unit][0]):
            add(loc + ("date",), f"{obs.date} is outside the validity of unit {_shown(obs.unit)} "
                f"({validity_text(obs.unit)}); after a merger, record the value on the successor"
                " (a value the source measured on the 34 new units for an earlier year needs `basis: 34`)")
        if ind is not None:
            if ind.kind == "milestone":
                if not isinstance(obs.value, bool):
                    add(loc + ("value",), f"{_shown(obs.indicator)} is a yes/no milestone: use true or false (got {_shown(obs.value)})")
                continue
            if isinstance(obs.value, bool):
                add(loc + ("value",), f"{_shown(obs.indicator)} takes a number, not {str(obs.value).lower()}")
                continue
            lo = ind.min
            hi = ind.max
            if ind.kind == "rank" and obs.out_of:
                hi = obs.out_of
            if (lo is not None and obs.value < lo) or (hi is not None and obs.value > hi):
                unit_txt = " %" if ind.kind == "percent" else ""
                add(loc + ("value",), f"{_num(obs.value)}{unit_txt} is outside the bounds of {_shown(obs.indicator)} "
                    f"({_num(lo) if lo is not None else '−∞'} – {_num(hi) if hi is not None else '∞'})")
            if ind.kind in ("rank", "count") and float(obs.value) != int(obs.value):
                add(loc + ("value",), f"{_shown(obs.indicator)} is a {ind.kind}: a whole number is expected (got {_num(obs.value)})")
            if ind.kind == "rank" and obs.out_of is None:
                add(loc + ("out_of",), f"a rank needs `out_of`: {n_before} (the units before 1/7/2025) or "
                    f"{n_after} (after)")

    for i, ev in enumerate(ds.events):
        loc = ("events", i)
        if ev.source not in sources:
            add(loc + ("source",), f"unknown source {_shown(ev.source)}")
        span = check_date(loc + ("date",), ev.date)
        for j, code in enumerate(ev.units):
            if code not in units:
                add(loc + ("units", j), f"unknown unit {_shown(code)}")
            elif span and not within(code, span, grace_days=1 if ev.kind == "merger" else 0):
                add(loc + ("date",), f"{ev.date} is outside the validity of unit {_shown(code)} ({validity_text(code)})")
        if ev.period and ev.period.start > ev.period.end:
            add(loc + ("period",), f"the period starts ({ev.period.start}) after it ends ({ev.period.end})")
    return _resolve(doc, pending)


def load_dataset(path: str | os.PathLike | None = None, *, max_bytes: int | None = None,
                 raw: bytes | None = None) -> Dataset:
    """Read, parse and fully validate the dataset; raise DatasetError with every problem found
    (listing at most MAX_PROBLEMS). `raw`: the file's bytes, if the caller has read them already."""
    doc = read_document(path, max_bytes=max_bytes, raw=raw)
    ds = _validate(doc)
    problems, total = cross_check(ds, doc)
    if problems:
        raise DatasetError(problems, total)
    return ds


# --- Frames -----------------------------------------------------------------------------------------


@dataclass
class Frames:
    """The tidy tables every page and chart reads. Treat them as read-only."""

    units: pd.DataFrame
    indicators: pd.DataFrame
    observations: pd.DataFrame
    events: pd.DataFrame
    sources: pd.DataFrame
    regions: pd.DataFrame
    path: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    # Small derived lookups (unit labels per language, observation counts), computed once per Frames
    # instead of on every rerun; they live and die with this object.
    memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def remember(self, key: str, compute):
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def _dt64(values: Iterable) -> np.ndarray:
    """ISO dates, datetime.date objects or None as a datetime64 column (pd.to_datetime is 10× slower here)."""
    return np.array([np.datetime64(v, "ns") if v else np.datetime64("NaT", "ns") for v in values],
                    dtype="datetime64[ns]")


def to_frames(ds: Dataset, path: str = "") -> Frames:
    """Flatten the validated dataset into tidy frames, one row per record."""
    us = ds.units
    preds: dict[str, tuple] = {}
    for u in us:
        if u.successor:
            preds[u.successor] = preds.get(u.successor, ()) + (u.code,)
    units = pd.DataFrame({
        "code": [u.code for u in us], "admin_code": [u.admin_code for u in us],
        "name_vi": [u.name.vi for u in us], "name_en": [u.name.en for u in us],
        "full_name": [u.full_name for u in us], "type": [u.type for u in us], "region": [u.region for u in us],
        "aliases": pd.Series([tuple(u.aliases) for u in us], dtype=object),
        "valid_from": _dt64(u.valid_from for u in us), "valid_to": _dt64(u.valid_to for u in us),
        "successor": pd.Series([u.successor for u in us], dtype=object),
        "merged_on": _dt64(u.merged_on for u in us),
        "merger_source": pd.Series([u.merger_source for u in us], dtype=object),
        "era": ["pre" if u.valid_to else ("post" if u.valid_from else "both") for u in us],
        "predecessors": pd.Series([preds.get(u.code, ()) for u in us], dtype=object),
    })
    indicators = pd.DataFrame([{
        "id": i.id, "title_vi": i.title.vi, "title_en": i.title.en, "unit_vi": i.unit.vi, "unit_en": i.unit.en,
        "kind": i.kind, "higher_is_better": i.higher_is_better, "rule": i.combine.rule, "weight": i.combine.weight,
        "decimals": i.decimals, "min": i.min, "max": i.max, "description_vi": i.description.vi,
        "description_en": i.description.en, "parent": i.parent, "published_rank": i.published_rank, "order": n,
    } for n, i in enumerate(ds.indicators)])
    # Built column by column (a list of dicts costs twice as much); dates parsed once per distinct text.
    spans = {d: parse_date(d) for d in {o.date for o in ds.observations}}
    as_of = {d: np.datetime64(plot_date(sp), "ns") for d, sp in spans.items()}
    obs = sorted(ds.observations, key=lambda o: (o.indicator, o.unit, as_of[o.date]))  # stable, as before

    def text(values: list) -> pd.Series:
        # Plain Python strings: converting 10^5 of them to Arrow strings would double this function's time.
        return pd.Series(values, dtype=object)

    def key(values: list) -> pd.Series:
        # The columns every page filters on stay Arrow strings: comparing them is 6× faster than objects.
        return pd.Series(values, dtype="str")

    observations = pd.DataFrame({
        "unit": key([o.unit for o in obs]), "indicator": key([o.indicator for o in obs]),
        "value": np.array([float(o.value) for o in obs], dtype=float), "date": text([o.date for o in obs]),
        "as_of": np.array([as_of[o.date] for o in obs], dtype="datetime64[ns]"),
        "year": np.array([spans[o.date].start.year for o in obs], dtype=int),
        "precision": text([spans[o.date].precision for o in obs]),
        # Optional text is "" when absent, so `if row.period:` and string joins never meet NaN.
        "period": text([o.period or "" for o in obs]),
        "out_of": pd.array([o.out_of for o in obs], dtype="Int64"),
        # 63 or 34 where the value is tied to one set of units (ranks, DTI 2024), else missing.
        "basis": pd.array([o.basis or (o.out_of if o.out_of in (63, 34) else None) for o in obs], dtype="Int64"),
        "source": key([o.source for o in obs]), "quote": text([o.quote for o in obs]),
        "qualifier": text([o.qualifier or "" for o in obs]),
        "confidence": text([o.confidence or "" for o in obs]),
        "note": text([o.note or "" for o in obs]),
    })
    events = pd.DataFrame([{
        "id": e.id, "date": e.date, "as_of": plot_date(parse_date(e.date)), "precision": parse_date(e.date).precision,
        "kind": e.kind,
        "title_vi": e.title.vi, "title_en": e.title.en, "units": tuple(e.units), "partner": e.partner,
        "period_start": e.period.start if e.period else None, "period_end": e.period.end if e.period else None,
        "source": e.source, "quote": e.quote,
    } for e in ds.events], columns=["id", "date", "as_of", "precision", "kind", "title_vi", "title_en", "units", "partner",
                                    "period_start", "period_end", "source", "quote"])
    events["as_of"] = _dt64(events["as_of"])
    sources = pd.DataFrame([s.model_dump() for s in ds.sources],
                           columns=list(Source.model_fields))
    regions = pd.DataFrame([{"id": r.id, "name_vi": r.name.vi, "name_en": r.name.en} for r in ds.regions])
    return Frames(units, indicators, observations, events, sources, regions, path=path,
                  meta={"title_vi": ds.dataset.title.vi, "title_en": ds.dataset.title.en,
                        "updated": ds.dataset.updated})


def load_frames(path: str | os.PathLike | None = None, *, max_bytes: int | None = None,
                raw: bytes | None = None) -> Frames:
    """Validate and flatten in one call: what the app and the curator command use.

    The cyclic garbage collector is paused meanwhile: the work allocates ~10 objects per YAML node and
    frees nothing cyclic, and collections over that heap cost more than the parse itself."""
    resolved = resolve_path(path)
    was_on = gc.isenabled()
    gc.disable()
    try:
        return to_frames(load_dataset(resolved, max_bytes=max_bytes, raw=raw), path=str(resolved))
    finally:
        if was_on:
            gc.enable()
