"""The pydantic models over what lib.data.read built (`validate`), pydantic's messages rewritten for a
curator, and `_resolve`, which gives the problems of every check their lines. Split from lib.data.checks,
which re-exports `validate`."""

from __future__ import annotations

import re

from pydantic import TypeAdapter, ValidationError

from lib.data.read import MAX_PROBLEMS, DatasetError, Problem, RawDocument, dotted, quoted
from lib.data.schema import (
    ADMIN_CODE_PATTERN,
    DATE_PATTERN,
    NONBLANK,
    SLUG_PATTERN,
    URL_PATTERN,
    Dataset,
    Event,
    Indicator,
    Observation,
    Region,
    Source,
    Target,
    Unit,
)


def _is_branch_label(part: object) -> bool:
    """pydantic adds union branches ('bool', 'float', 'function-after[...]') to error paths: not fields."""
    return isinstance(part, str) and (part in ("bool", "float", "str", "int") or part.startswith("function-"))


_NUMBER_TEXT = re.compile(r"\s*[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\s*\Z")

_FIXED = {
    "extra_forbidden": "unknown key (not part of the format; check its spelling)",
    "missing": "this required field is missing",
}
_NUMBER_KINDS = ("float_type", "int_type", "float_parsing", "int_parsing", "int_from_float")
# A pattern's message ({got}: the value found).
_PATTERN_MESSAGES = {
    NONBLANK: "this text is empty or only spaces: write it out, or leave the field out if it is optional",
    DATE_PATTERN: "a date must match the pattern YYYY, YYYY-MM or YYYY-MM-DD, with the digits 0–9{got}",
    URL_PATTERN: "a URL must start with http:// or https://{got}",
    SLUG_PATTERN: "a code is made of a–z, 0–9, - and _ (starting with a letter or digit){got}",
    ADMIN_CODE_PATTERN: "an administrative code is two digits 0–9, quoted (\"01\"){got}",
}


def _message(err: dict) -> str:
    """pydantic's message for one error, rewritten in words a curator can act on."""
    kind, msg = err["type"], err["msg"]
    value = err.get("input")
    got = f" (got {quoted(value)})" if "input" in err else ""
    if kind in _FIXED:
        return _FIXED[kind]
    text = _type_message(kind, value, got)
    if text is None and kind == "string_pattern_mismatch":
        pattern = (err.get("ctx") or {}).get("pattern", "")
        if pattern in _PATTERN_MESSAGES:
            text = _PATTERN_MESSAGES[pattern].format(got=got)
    if text is not None:
        return text
    if "input" in err and not isinstance(value, (dict, list)):
        return f"{msg}{got}"
    return msg


def _type_message(kind: str, value: object, got: str) -> str | None:
    """The message for a value of the wrong type (None: `kind` is no type error rewritten here)."""
    if kind in _NUMBER_KINDS:
        return _number_message(kind, value, got)
    if kind == "finite_number":
        return f"NaN or infinity is not a number a source can state{got}"
    if kind == "bool_type":
        return f"true or false is expected{got}"
    if kind == "string_type":
        if isinstance(value, bool):
            return (f"text is expected, but YAML reads the unquoted word as {quoted(value)} "
                    "(yes/no/on/off/true/false): put it in quotes")
        return f"text is expected{got}"
    if kind == "list_type":
        return f"a list is expected{got}: write it in brackets, [a, b]"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"a mapping is expected{got}: write it as {{key: value, …}}"
    return None


def _number_message(kind: str, value: object, got: str) -> str:
    what = "a whole number" if kind.startswith("int") else "a number"
    if isinstance(value, bool):
        return f"{what} is expected, not true/false{got}"
    if isinstance(value, str):
        if _NUMBER_TEXT.match(value) or value.strip().lower() in ("nan", "inf", "-inf", "+inf", "infinity"):
            return f"{what} written as text{got}: write it without quotes"
        return f"{what} is expected, not text{got}"
    return f"{what} is expected{got}"


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
        problems.append(Problem(str(doc.path), lines.get(loc), dotted(loc), message))
    return problems, len(pending)


# The list sections are validated in chunks: a file of 10^5 bad records stops converting pydantic's
# errors once MAX_PROBLEMS are in hand (converting millions of them would take seconds and gigabytes)
# and only counts the rest.
_SECTIONS = {name: TypeAdapter(list[model]) for name, model in (
    ("regions", Region), ("indicators", Indicator), ("sources", Source), ("observations", Observation),
    ("events", Event), ("units", Unit), ("targets", Target))}
_CHUNK = 2_000

class _Pending:
    """pydantic's errors as (loc, error), the first MAX_PROBLEMS of them, and how many there are in all."""

    def __init__(self) -> None:
        self.errors: list[tuple[tuple, dict]] = []
        self.total = 0

    def collect(self, exc: ValidationError, prefix: tuple, offset: int = 0) -> None:
        self.total += exc.error_count()
        if len(self.errors) >= MAX_PROBLEMS:
            return
        for err in exc.errors(include_url=False):
            loc = err["loc"]
            if loc and loc[-1].__class__ is str and _is_branch_label(loc[-1]):
                loc = tuple(p for p in loc if not _is_branch_label(p))
            if prefix:
                loc = prefix + ((offset + loc[0],) + loc[1:] if loc else ())
            self.errors.append((loc, err))

    def error(self, doc: RawDocument) -> DatasetError:
        """One problem per field, with its line."""
        pending = self.errors
        seen: set[tuple] = set()
        unique = [(loc, err) for loc, err in pending if not (loc in seen or seen.add(loc))]
        problems, _ = _resolve(doc, [(loc, _message(err), ()) for loc, err in unique[:MAX_PROBLEMS]])
        return DatasetError(problems, max(self.total - (len(pending) - len(unique)), len(unique)))


def validate(doc: RawDocument) -> Dataset:
    """The pydantic models over the parsed data; DatasetError listing the first MAX_PROBLEMS problems
    (one per field) and counting all of them."""
    data = doc.data
    pending = _Pending()
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
        pending.collect(exc, ())
    parts = {name: _validate_section(name, items, pending) for name, items in lists.items()}
    if pending.errors or ds is None:
        raise pending.error(doc)
    return ds.model_copy(update=parts)


def _validate_section(name: str, items: list, pending: _Pending) -> list:
    adapter, out = _SECTIONS[name], []
    for start in range(0, len(items), _CHUNK):
        try:
            out += adapter.validate_python(items[start:start + _CHUNK])
        except ValidationError as exc:
            pending.collect(exc, (name,), start)
    return out
