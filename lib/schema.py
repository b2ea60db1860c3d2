"""Pydantic models of data/provinces.yaml: the shape of each record; cross-references live in lib.data."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, model_validator

DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"


# Dates stay text: lib.data's YAML loader does not turn 2020-07-01 into a date object, and an unquoted
# year (2022) is a number that the models below accept as text (coerce_numbers_to_str). No Python
# validator runs per field, which keeps validation of 10^5 observations fast.
DateText = Annotated[str, StringConstraints(pattern=DATE_PATTERN)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
Text = Annotated[str, StringConstraints(min_length=1)]


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
    higher_is_better: bool
    combine: Combine
    decimals: Annotated[int, Field(ge=0, le=6)]
    min: float | None = None
    max: float | None = None
    description: I18nText
    parent: Slug | None = None
    published_rank: Slug | None = None  # the rank indicator the same table prints beside this value


class Source(Strict):
    id: Slug
    publisher: Text
    title: Text
    author: Text | None = None
    url: Annotated[str, StringConstraints(pattern=r"^https?://")] | None = None
    file: Text | None = None
    published: DateText | None = None
    published_note: Text | None = None
    accessed: DateText
    language: Literal["vi", "en"]
    # medium: an official table read through a secondary copy (checked where possible, see `checks`).
    confidence: Literal["high", "medium", "low"] = "high"
    confidence_note: Text | None = None
    via: Text | None = None  # the copy actually read, when it is not the official page itself
    checks: Text | None = None  # what was checked against the official page or the press


class Unit(Strict):
    code: Slug
    admin_code: Annotated[str, StringConstraints(pattern=r"^\d{2}$")]
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
    value: Union[StrictBool, float]
    date: DateText
    period: Text | None = None
    out_of: Annotated[int, Field(ge=1)] | None = None
    # The territory the value measures: 63 = the provinces before 1/7/2025, 34 = the units after it.
    # Needed where one year exists on both (DTI 2024); a rank's `out_of` implies it.
    basis: Literal[63, 34] | None = None
    source: Slug
    quote: Text
    qualifier: Literal[">", "<", "≈"] | None = None
    confidence: Literal["high", "medium", "low"] | None = None
    note: Text | None = None


class Period(Strict):
    start: Annotated[int, Field(ge=1900, le=2100)]
    end: Annotated[int, Field(ge=1900, le=2100)]


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


class Dataset(Strict):
    schema_version: Literal[1]
    dataset: DatasetMeta
    regions: list[Region]
    indicators: list[Indicator]
    sources: list[Source]
    observations: list[Observation]
    events: list[Event]
    units: list[Unit]
