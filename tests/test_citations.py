"""lib/citations.py: how a source is cited to a reader, in the reader's language only.

A source here is one row of `Frames.sources` as a dict, missing text fields "" (as the frames give them).
"""

from __future__ import annotations

import pandas as pd
import pytest

from lib import citations as cite
from lib.data import load_frames

ARTICLE = {"id": "qbdt_2020", "publisher": "Báo Quảng Bình (QBĐT)", "title": "Đẩy mạnh hợp tác với VNPT",
           "author": "Phan Phương", "published": "2020-09-24", "url": "https://www.baoquangbinh.vn/a/1.htm",
           "file": "", "language": "vi", "confidence": "", "note": "curator note", "published_note": "",
           "description_vi": "", "description_en": ""}


def src(**fields) -> dict:
    return {**ARTICLE, **fields}


# --- Who published it ------------------------------------------------------------------------------


@pytest.mark.parametrize("url, expected", [
    ("https://www.thanhnien.vn/bai-1.htm", "thanhnien.vn"), ("http://Baolangson.VN/x", "baolangson.vn"),
    ("https://mic.gov.vn", "mic.gov.vn"), ("", ""), ("not a link", ""), ("https://[::1", ""),
])
def test_site_is_the_links_host_without_www(url, expected):
    assert cite.site(url) == expected


@pytest.mark.parametrize("fields, lang, expected", [
    ({}, "vi", "Báo Quảng Bình (QBĐT)"),
    ({"publisher": ""}, "vi", "baoquangbinh.vn"),
    ({"publisher": "  "}, "en", "baoquangbinh.vn"),  # blank is missing
    ({"publisher": "", "url": ""}, "vi", "Không ghi rõ đơn vị đăng"),
    ({"publisher": "", "url": ""}, "en", "Publisher not named"),
])
def test_who_is_the_publisher_else_the_site_else_not_named(fields, lang, expected):
    assert cite.who(src(**fields), lang) == expected


# --- What it is ------------------------------------------------------------------------------------


def test_what_is_the_headline_as_printed():
    assert cite.what(src(), "en") == "Đẩy mạnh hợp tác với VNPT"  # never translated


@pytest.mark.parametrize("fields, lang, expected", [
    ({"title": "", "description_vi": "Bảng xếp hạng DTI 2022", "description_en": "DTI 2022 table"}, "vi",
     "[Bảng xếp hạng DTI 2022]"),
    ({"title": "", "description_vi": "Bảng xếp hạng DTI 2022", "description_en": "DTI 2022 table"}, "en",
     "[DTI 2022 table]"),
    ({"title": ""}, "vi", "[Bài viết trên baoquangbinh.vn]"),
    ({"title": ""}, "en", "[Article on baoquangbinh.vn]"),
    ({"title": "", "url": "", "file": "articles/001.md"}, "en", "[Article]"),
])
def test_without_headline_a_bracketed_description_in_the_readers_language(fields, lang, expected):
    assert cite.what(src(**fields), lang) == expected


# --- When, and where to read it --------------------------------------------------------------------


@pytest.mark.parametrize("published, lang, expected", [
    ("2020-09-24", "vi", "24/09/2020"), ("2020-09-24", "en", "24 Sep 2020"), ("2020-09", "vi", "09/2020"),
    ("2020-09", "en", "Sep 2020"), ("2022", "vi", "2022"), ("", "vi", "không rõ ngày"), ("", "en", "undated"),
])
def test_when_keeps_the_dates_own_precision(published, lang, expected):
    assert cite.when(src(published=published), lang) == expected


def test_date_text_leaves_what_is_not_a_date_as_written():
    assert cite.date_text("sometime", "vi") == "sometime"


@pytest.mark.parametrize("published, expected", [("2020-09-24", "2020"), ("2022", "2022"), ("", "undated")])
def test_year(published, expected):
    assert cite.year(src(published=published), "en") == expected


def test_link_is_the_url_or_words_never_the_stored_files_path():
    assert cite.link(src(), "vi") == "https://www.baoquangbinh.vn/a/1.htm"
    stored = cite.link(src(url="", file="articles/002.md"), "en")
    assert "articles/" not in stored and stored.startswith("(")
    assert cite.link(src(url="", file=""), "en") == ""


# --- The whole citation and the short form under a chart ---------------------------------------------


def test_citation_is_one_line_a_reader_can_cite():
    assert cite.citation(src(), "vi") == ("Báo Quảng Bình (QBĐT): Đẩy mạnh hợp tác với VNPT, tác giả Phan Phương "
                                          "(24/09/2020). https://www.baoquangbinh.vn/a/1.htm")
    assert cite.citation(src(author="", published="", url="", publisher="", title=""), "en") == \
        "Publisher not named: [Article] (undated)."


def test_citation_never_shows_an_id_a_file_or_a_note():
    text = cite.citation(src(url="", file="articles/002.md", note="copied from a forum"), "vi")
    assert "qbdt_2020" not in text and "articles/002.md" not in text and "forum" not in text


@pytest.mark.parametrize("fields, expected", [
    ({}, "Báo Quảng Bình (QBĐT) (2020)"),
    ({"publisher": ""}, "baoquangbinh.vn (2020)"),
    ({"publisher": "", "url": "", "file": "a.md"}, "Đẩy mạnh hợp tác với VNPT (2020)"),  # an author is never the source (issue 23)
    ({"publisher": "", "url": "", "file": "a.md", "author": ""}, "Đẩy mạnh hợp tác với VNPT (2020)"),
    ({"publisher": "", "url": "", "file": "a.md", "author": "",
      "title": "Một hai ba bốn năm sáu bảy tám chín mười"}, "Một hai ba bốn năm sáu bảy tám… (2020)"),
    ({"publisher": "", "url": "", "file": "a.md", "author": "", "title": "", "published": ""},
     "Bài viết (không rõ ngày)"),
])
def test_short_names_whoever_can_be_named(fields, expected):
    assert cite.short(src(**fields), "vi") == expected


# --- The reader's table --------------------------------------------------------------------------


def test_table_is_the_readers_columns_in_one_language():
    sources = pd.DataFrame([src(), src(id="other", publisher="", title="", confidence="medium", language="en")])
    en = cite.table(sources, "en")
    assert list(en.columns) == ["Publisher", "Headline or description", "Author", "Published", "Link", "Language",
                                "Confidence"]
    assert en["Publisher"].tolist() == ["Báo Quảng Bình (QBĐT)", "baoquangbinh.vn"]
    assert en["Headline or description"].tolist() == ["Đẩy mạnh hợp tác với VNPT", "[Article on baoquangbinh.vn]"]
    assert en["Published"].tolist() == ["24 Sep 2020", "24 Sep 2020"]
    assert en["Language"].tolist() == ["Vietnamese", "English"]
    assert en["Confidence"].tolist()[0] == "high"  # no confidence given: high
    vi = cite.table(sources, "vi")
    assert list(vi.columns)[0] == "Nhà xuất bản" and vi["Ngôn ngữ"].tolist() == ["Tiếng Việt", "Tiếng Anh"]
    flat = " ".join(map(str, en.to_numpy().ravel()))
    assert "qbdt_2020" not in flat and "curator note" not in flat


def test_by_id_reads_the_frames_sources(dataset, write_yaml):
    frames = load_frames(write_yaml(dataset))
    rows = cite.by_id(frames.sources)
    assert set(rows) == {"s1", "s2"}
    assert cite.short(rows["s2"], "en") == "Test publisher (2022)"
