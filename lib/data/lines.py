"""The line of a field in the file: one event pass that follows only the wanted paths (split from
lib.data.read; `RawDocument.lines_for` is the way in)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import yaml

from lib.data.read import (
    _MAP_END,
    _MAP_START,
    _NOKEY,
    _SCALAR,
    _SEQ_END,
    _SEQ_START,
    _STREAM_END,
    _Loader,
    _plain_value,
    _Refused,
)

_KEY = object()  # `_here`: the event was a key (nothing to descend into)


def lines_for(text: str, locs: Iterable[tuple]) -> dict[tuple, int]:
    """The 1-based line of each path in `locs` that exists in the document (a key's own line — the
    first one where a key repeats —, a list item's first line), and of each of their prefixes.
    One event pass over a document that `_build` accepted (no aliases, at most MAX_DEPTH levels),
    following only the wanted paths: its cost does not grow with the number of problems."""
    locs = list(locs)
    if not locs:
        return {}
    trie, wanted = _trie(locs)
    found = _scan(text, trie, wanted)
    return _collect(locs, trie, found)


def _trie(locs: list[tuple]) -> tuple[dict, int]:
    """The wanted paths as a trie, and how many nodes it has (the root included)."""
    trie: dict = {}
    wanted = 1
    for loc in locs:
        node = trie
        for part in loc:
            if part not in node:
                wanted += 1
            node = node.setdefault(part, {})
    return trie, wanted


def _scan(text: str, trie: dict, wanted: int) -> dict[int, int]:
    """id(trie node) -> the line where the document reaches it."""
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
            if stack:
                here = _here(stack[-1], ev, cls, cache, found)
                if here is _KEY:
                    continue
            else:
                here = trie
                if id(trie) not in found:
                    found[id(trie)] = ev.start_mark.line + 1
            if cls is not _SCALAR:
                stack.append([here, cls is _MAP_START, True, None, 0])
    except yaml.YAMLError:
        pass  # (the document was read once already; lines are a courtesy)
    finally:
        loader.dispose()
    return found


def _here(top: list, ev: Any, cls: type, cache: dict, found: dict[int, int]) -> Any:
    """The trie node of the node `ev` starts inside the collection `top` (None: not wanted), or _KEY."""
    if not top[1]:  # a list: its next item
        here = top[0].get(top[4]) if top[0] is not None else None
        if here is not None and id(here) not in found:
            found[id(here)] = ev.start_mark.line + 1
        top[4] += 1
        return here
    if top[2]:
        _read_key(top, ev, cls, cache, found)
        return _KEY
    if cls is _SCALAR:
        top[2] = True
    return top[3]


def _read_key(top: list, ev: Any, cls: type, cache: dict, found: dict[int, int]) -> None:
    child = None
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
    top[2] = False


def _collect(locs: list[tuple], trie: dict, found: dict[int, int]) -> dict[tuple, int]:
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
