"""A province's brief: the profile page (lib.views.profile.Profile) as an A4 portrait PDF of at most two
pages and a PowerPoint of the same content — the headline figures, the sentences, the ranking around the
unit (with its numbers as a small table), the sub-indices, the other indicators, the milestones and the
sources as a compact numbered list. Left-aligned text throughout (never justified).
"""

from __future__ import annotations

import io

import pandas as pd

from lib.export.printing import setup_pdf
from lib.export.render import png_or_placeholder, png_size, to_png
from lib.i18n import t

BRIEF_CHART_WIDTH = 620  # CSS px of the chart image: at 180 mm wide its 10 px labels print at about 9 pt
MAX_ROWS = 6  # rows of a table printed in the brief (the page holds the rest)


def _chart_png(spec, lang: str) -> bytes:
    try:
        return to_png(spec, lang, width=BRIEF_CHART_WIDTH, height=300)
    except Exception:  # noqa: BLE001 - a brief without its chart beats no brief
        return png_or_placeholder(spec, lang)[0]


def _table_rows(df: pd.DataFrame, cols: list[int] | None = None) -> tuple[list[str], list[list[str]]]:
    if df is None or df.empty:
        return [], []
    df = df.iloc[:MAX_ROWS, cols] if cols else df.iloc[:MAX_ROWS]
    return [str(c) for c in df.columns], [[str(v) for v in r] for r in df.itertuples(index=False)]


def _marked_values(others: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The other indicators with a derived or uncertain value's mark beside the value (the brief prints four
    columns: indicator, value, as of, position)."""
    marks = [c for c in (t("col_derived", lang), t("col_confidence", lang)) if c in others]
    if not marks:
        return others
    out = others.copy()
    value = t("col_value", lang)
    for col in marks:
        label = "" if col == t("col_derived", lang) else f"{col}: "
        out[value] = [f"{v} ({label}{m})" if m else v for v, m in zip(out[value], out[col])]
    return out


def brief_sections(prof, lang: str) -> list[tuple[str, list[str], list[list[str]]]]:
    """(heading, header, rows) of each table the brief prints, only those with rows."""
    out = []
    if prof.headline is not None:
        out.append((t("profile_headline", lang), ["", "", ""], [[a, b, c or ""] for a, b, c in prof.metrics]))
    if prof.sub is not None:
        out.append((t("profile_subindices", lang, year=prof.sub.year), *_table_rows(prof.sub.table)))
    if not prof.preds.empty:
        out.append((t("profile_preds", lang), *_table_rows(prof.preds)))
    if not prof.others.empty:
        out.append((t("profile_others", lang), *_table_rows(_marked_values(prof.others, lang), [0, 1, 2, 3])))
    if not prof.events.empty:
        out.append((t("profile_events", lang), *_table_rows(prof.events.iloc[::-1], [0, 1])))  # the newest
    return [s for s in out if s[2]]


def chart_table(spec) -> tuple[list[str], list[list[str]]]:
    """The chart's numbers as rows: position · name, value (from the figure's own labels)."""
    bar = spec.figure.data[0]
    ticks = list(spec.figure.layout.yaxis.ticktext or bar.y)
    return ["", ""], [[str(n), str(v)] for n, v in zip(ticks, bar.text or [])]


# --- PDF -----------------------------------------------------------------------------------------------------------


def _pdf_table(pdf, heading: str, header: list[str], rows: list[list[str]], epw: float) -> None:
    from fpdf.fonts import FontFace

    pdf.set_font("DejaVu", "B", 10.5)
    pdf.cell(epw, 6, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    show_header = any(h.strip() for h in header)
    widths = (1, 5) if len(header) == 2 else None  # a date and an event: the event gets the room
    with pdf.table(text_align="LEFT", first_row_as_headings=show_header, line_height=3.8, padding=0.6,
                   col_widths=widths,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                   borders_layout="HORIZONTAL_LINES") as table:
        for row in ([header] if show_header else []) + rows:
            r = table.row()
            for cell in row:
                r.cell(cell)
    pdf.ln(2)


def build_brief_pdf(prof, spec, *, title: str, subtitle: str, generated: str, lang: str) -> bytes:
    """A4 portrait, two pages at most: name, figures, sentences, the ranking around the unit, its tables,
    then the sources numbered."""
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    epw = setup_pdf(pdf, f"{title} · {prof.name}", lang, bottom=12)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(epw, 8, prof.name, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(epw, 4.5, f"{title} · {subtitle} · {t('export_generated', lang)}: {generated}", align="L",
                   new_x="LMARGIN", new_y="NEXT")
    if prof.facts:
        pdf.multi_cell(epw, 4.5, " · ".join(f"{a}: {b}" for a, b, _ in prof.facts), align="L",
                       new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.set_font("DejaVu", size=10.5)
    for s in prof.sentences:
        pdf.multi_cell(epw, 5.2, s, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    sections = brief_sections(prof, lang)
    if sections and prof.headline is not None:
        _pdf_table(pdf, *sections.pop(0), epw)
    if spec is not None:
        png = _chart_png(spec, lang)
        w_px, h_px = png_size(png)
        img_w = epw
        img_h = img_w * h_px / w_px
        if pdf.get_y() + img_h > pdf.h - 14:
            pdf.add_page()
        pdf.image(io.BytesIO(png), x=pdf.l_margin, y=pdf.get_y(), w=img_w, h=img_h, alt_text=spec.title)
        pdf.set_y(pdf.get_y() + img_h + 2)
    for heading, header, rows in sections:
        _pdf_table(pdf, heading, header, rows, epw)
    _pdf_sources(pdf, prof.cited, lang, epw)
    return bytes(pdf.output())


def _pdf_sources(pdf, cited: list[str], lang: str, epw: float) -> None:
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.cell(epw, 6, t("export_sources", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=7)
    for i, c in enumerate(cited or [t("export_none", lang)], 1):
        pdf.multi_cell(epw, 3.2, f"{i}. {c}", align="L", new_x="LMARGIN", new_y="NEXT")


# --- PowerPoint ----------------------------------------------------------------------------------------------------


def _slide_text(slide, lines: list[str], left, top, width, height, size: int) -> None:
    from pptx.util import Pt

    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    for i, line in enumerate(lines):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.text = line
        for run in para.runs:
            run.font.size = Pt(size)
            run.font.name = "Arial"


def _slide_table(slide, header: list[str], rows: list[list[str]], left, top, width) -> None:
    from pptx.util import Inches, Pt

    show_header = any(h.strip() for h in header)
    data = ([header] if show_header else []) + rows
    shape = slide.shapes.add_table(len(data), len(data[0]), left, top, width, Inches(0.3) * len(data))
    for i, row in enumerate(data):
        for j, cell in enumerate(row):
            c = shape.table.cell(i, j)
            c.text = cell
            for para in c.text_frame.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(11)
                    run.font.name = "Arial"


def build_brief_pptx(prof, spec, *, title: str, subtitle: str, generated: str, lang: str) -> bytes:
    """The same content as the PDF: a slide of figures and sentences, the ranking around the unit (chart and
    its numbers), a slide per table, the sources numbered."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    slide = prs.slides.add_slide(blank)
    _slide_text(slide, [prof.name], Inches(0.6), Inches(0.3), Inches(12), Inches(0.8), 32)
    _slide_text(slide, [f"{title} · {subtitle} · {t('export_generated', lang)}: {generated}"]
                + [" · ".join(f"{a}: {b}" for a, b, _ in prof.facts)] * bool(prof.facts),
                Inches(0.6), Inches(1.1), Inches(12), Inches(0.8), 14)
    _slide_text(slide, prof.sentences, Inches(0.6), Inches(2.0), Inches(12), Inches(3), 20)
    if spec is not None:
        slide = prs.slides.add_slide(blank)
        _slide_text(slide, [spec.title], Inches(0.5), Inches(0.2), Inches(12.3), Inches(0.7), 20)
        png = _chart_png(spec, lang)
        w_px, h_px = png_size(png)
        pic_w = Inches(8.3)  # 62 % of the slide's width; the numbers' table beside it
        pic_h = int(pic_w * h_px / w_px)
        if pic_h > Inches(6.4):
            pic_h = Inches(6.4)
            pic_w = int(pic_h * w_px / h_px)
        slide.shapes.add_picture(io.BytesIO(png), Inches(0.4), Inches(0.95), width=pic_w, height=pic_h)
        header, rows = chart_table(spec)
        _slide_table(slide, header, rows, Inches(8.9), Inches(0.95), Inches(4.1))
        slide.notes_slide.notes_text_frame.text = "\n".join(x for x in (spec.note, spec.source) if x)
    for heading, header, rows in brief_sections(prof, lang):
        slide = prs.slides.add_slide(blank)
        _slide_text(slide, [heading], Inches(0.5), Inches(0.2), Inches(12.3), Inches(0.7), 22)
        _slide_table(slide, header, rows, Inches(0.5), Inches(1.0), Inches(12.3))
    slide = prs.slides.add_slide(blank)
    _slide_text(slide, [t("export_sources", lang)], Inches(0.5), Inches(0.2), Inches(12.3), Inches(0.7), 22)
    _slide_text(slide, [f"{i}. {c}" for i, c in enumerate(prof.cited or [t("export_none", lang)], 1)],
                Inches(0.5), Inches(1.0), Inches(12.3), Inches(6.2), 11)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
