"""Pydantic models of data/provinces.yaml: the shape of each record; cross-references live in lib.data.checks."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)
from pydantic import Strict as StrictMode
from pydantic_core import PydanticCustomError

# Digits are [0-9], never \d: pydantic's regex engine (like Python's int()) takes Arabic-Indic or
# full-width digits for \d, and "٢٠٢٠" must not pass for a year.
DATE_PATTERN = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
ADMIN_CODE_PATTERN = r"^[0-9]{2}$"
# http or https in any case (HTTPS://… is a valid URL); javascript:, data:, file: and the rest are refused.
URL_PATTERN = r"^(?i:https?)://[^\s/?#]+\S*$"
# Required text must hold something besides spaces: "   " is as empty as "".
NONBLANK = r"\S"


# Dates stay text: lib.data.read does not turn 2020-07-01 into a date object, and an unquoted
# year (2022) is a number that the models below accept as text (coerce_numbers_to_str). No Python
# validator runs per field, which keeps validation of 10^5 observations fast.
DateText = Annotated[str, StringConstraints(pattern=DATE_PATTERN)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(pattern=NONBLANK)]
# Numbers are numbers: not text ("30.5"), not true/false, not NaN or infinity.
Number = Annotated[float, StrictMode(), AllowInfNan(False)]


def _number_or_yes_no(value: object) -> float | bool:
    """An observation's value: true/false (a milestone) or a finite number, nothing else. One check
    with one error (a Union would report a bad number twice, once as "not a valid boolean")."""
    cls = value.__class__
    if cls is bool:
        return value  # type: ignore[return-value]
    if cls is float or cls is int:
        try:
            number = float(value)  # type: ignore[arg-type]
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise PydanticCustomError("finite_number", "Input should be a finite number")
        return number
    raise PydanticCustomError("float_type", "Input should be a valid number")


NumberOrYesNo = Annotated[StrictBool | float, PlainValidator(_number_or_yes_no)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class I18nText(Strict):
    vi: Text
    en: Text


class I18nUnit(Strict):
    vi: str
    en: str


class DatasetMeta(Strict):
    title: I18nText
    curated_by: Text
    updated: DateText


class Region(Strict):
    id: Slug
    name: I18nText


class Combine(Strict):
    rule: Literal["sum", "weighted_mean", "none"]
    weight: Slug | None = None

    @model_validator(mode="after")
    def _weight_goes_with_weighted_mean(self) -> Combine:
        if self.rule == "weighted_mean" and not self.weight:
            raise ValueError("a weighted_mean needs `weight`: the indicator that weighs each province")
        if self.rule != "weighted_mean" and self.weight:
            raise ValueError(f"`weight` only goes with rule weighted_mean, not {self.rule}")
        return self


class Indicator(Strict):
    id: Slug
    title: I18nText
    unit: I18nUnit
    kind: Literal["percent", "count", "index", "rank", "milestone"]
    higher_is_better: StrictBool
    combine: Combine
    decimals: Annotated[StrictInt, Field(ge=0, le=6)]
    min: Number | None = None
    max: Number | None = None
    description: I18nText
    parent: Slug | None = None
    published_rank: Slug | None = None  # the rank indicator the same table prints beside this value


class Source(Strict):
    id: Slug
    # A source is cited as publisher, headline, date, link. Leave `publisher` or `title` out when the page does
    # not state it (never a guess, never a URL slug): the app then names the site and describes the source in
    # the reader's language. `title` is only a headline as printed; `description` is the curator's plain words
    # for a source that prints none (an official table, the text of a decision), shown in brackets, never as a
    # headline. `note` is for curators only (why a field is missing, what the page is); never shown.
    publisher: Text | None = None
    title: Text | None = None
    description: I18nText | None = None
    note: Text | None = None
    author: Text | None = None
    url: Annotated[str, StringConstraints(pattern=URL_PATTERN)] | None = None
    file: Text | None = None
    published: DateText | None = None
    published_note: Text | None = None
    accessed: DateText
    language: Literal["vi", "en"]
    # Who prints it: a government body (ministry, provincial portal, party committee), state media (a
    # national or provincial broadcaster, the Party's paper), the press, a company (a telecom group, a legal
    # database, a press-release wire), or other (an aggregator, a page whose publisher is not named).
    publisher_kind: Literal["government", "state_media", "press", "company", "other"] | None = None
    # medium: an official table read through a secondary copy (checked where possible, see `checks`).
    confidence: Literal["high", "medium", "low"] = "high"
    confidence_note: Text | None = None
    via: Text | None = None  # the copy actually read, when it is not the official page itself
    checks: Text | None = None  # what was checked against the official page or the press


class Unit(Strict):
    code: Slug
    admin_code: Annotated[str, StringConstraints(pattern=ADMIN_CODE_PATTERN)]
    name: I18nText
    full_name: Text
    type: Literal["province", "city"]
    region: Slug
    aliases: list[Text] = []
    valid_from: DateText | None = None
    valid_to: DateText | None = None
    successor: Slug | None = None
    merged_on: DateText | None = None
    merger_source: Slug | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _successor_needs_date(self) -> Unit:
        if self.successor and not (self.merged_on and self.valid_to):
            raise ValueError("a unit with a `successor` needs `merged_on` and `valid_to`")
        return self


class Observation(Strict):
    unit: Slug
    indicator: Slug
    value: NumberOrYesNo
    date: DateText
    period: Text | None = None
    out_of: Annotated[StrictInt, Field(ge=1)] | None = None
    # The territory the value measures: 63 = the provinces before 1/7/2025, 34 = the units after it.
    # Needed where one year exists on both (DTI 2024); a rank's `out_of` implies it.
    basis: Literal[63, 34] | None = None
    source: Slug
    quote: Text
    qualifier: Literal[">", "<", "≈"] | None = None
    confidence: Literal["high", "medium", "low"] | None = None
    note: Text | None = None


class Period(Strict):
    start: Annotated[StrictInt, Field(ge=1945, le=2100)]
    end: Annotated[StrictInt, Field(ge=1945, le=2100)]


class Event(Strict):
    id: Slug
    date: DateText
    kind: Literal["agreement", "review", "ioc_launch", "launch", "merger", "policy"]
    title: I18nText
    units: Annotated[list[Slug], Field(min_length=1)]
    partner: Text | None = None
    period: Period | None = None
    source: Slug
    quote: Text
    confidence: Literal["high", "low"] | None = None
    note: Text | None = None


class Document(Strict):
    """The legal text a target comes from: its number, date, title and a short name for labels ("QĐ 942")."""

    number: Text
    date: DateText
    title: I18nText
    short: I18nText
    issuer: Text | None = None


# How a target is written: ">=" (at least), "<=" (at most, a rank), "=" (reach), ">" / "<" (above / below).
# ASCII spellings, so the YAML needs no quotes beyond the usual ones and no one types "≥" two ways.
Comparator = Literal[">=", "<=", "=", ">", "<"]


class Target(Strict):
    """A number a legal text asks of a province (scope `province`) or of the country as a whole (`national`:
    shown as a reference only, never as a province's obligation)."""

    id: Slug
    indicator: Slug
    comparator: Comparator
    value: Number
    unit: Text  # the indicator's unit as written in the registry (vi or en): a check, never a conversion
    year: Annotated[StrictInt, Field(ge=1945, le=2100)]
    scope: Literal["province", "national"]
    document: Document
    clause: Text
    wording: I18nText
    source: Slug
    quote: Text
    confidence: Literal["high", "medium", "low"]
    mapping: Literal["direct", "partial"] = "direct"  # how closely the indicator measures what the text asks
    note: Text | None = None


class Dataset(Strict):
    schema_version: Annotated[StrictInt, Field(ge=1, le=1)]
    dataset: DatasetMeta
    regions: list[Region]
    indicators: list[Indicator]
    sources: list[Source]
    observations: list[Observation]
    events: list[Event]
    units: list[Unit]
    targets: list[Target] = []
