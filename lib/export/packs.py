"""The briefing pack: a PowerPoint deck and the same as a PDF (title, one slide or page per chart with
its sources and as-of dates in the notes, then every source). A chart that cannot be rendered gets a
placeholder image saying so; titles, notes and sources are kept.
"""

from __future__ import annotations

import io
import re

from lib.export.layout import notes_text, prefixed, wrap
from lib.export.printing import (
    PDF_PRINT_WIDTH,
    PDF_WIDE_WIDTH,
    PPTX_PRINT_WIDTH,
    PPTX_WIDE_WIDTH,
    PRINT_MAX_HEIGHT,
    print_parts,
    print_wide,
    setup_pdf,
)
from lib.export.render import png_or_placeholder, png_size, to_png
from lib.export.spec import ChartSpec
from lib.i18n import t

PDF_CHART_SHARE = 0.67  # of the 267 mm text width: 179 mm, 60 % of the A4 landscape page

# --- PowerPoint -----------------------------------------------------------------------------------------------------

_URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")


def _chunk_sources(sources: list[str], max_lines: int, chars_per_line: int) -> list[list[str]]:
    """Split the source list into pages of at most ``max_lines`` wrapped lines (a long item gets a page of its own)."""
    pages: list[list[str]] = [[]]
    used = 0
    for src in sources:
        n = max(1, len(wrap(src, chars_per_line)))
        if pages[-1] and used + n > max_lines:
            pages.append([])
            used = 0
        pages[-1].append(src)
        used += n
    return pages


def _add_runs_with_links(paragraph, text: str, size_pt: float) -> None:
    from pptx.util import Pt

    pos = 0
    for m in _URL_RE.finditer(text):
        if m.start() > pos:
            run = paragraph.add_run()
            run.text = text[pos:m.start()]
            run.font.size = Pt(size_pt)
        run = paragraph.add_run()
        run.text = m.group(0)
        run.font.size = Pt(size_pt)
        run.hyperlink.address = m.group(0)
        pos = m.end()
    if pos < len(text) or not text:
        run = paragraph.add_run()
        run.text = text[pos:]
        run.font.size = Pt(size_pt)


def _print_png(spec: ChartSpec, lang: str, width: int) -> tuple[bytes, str]:
    """The chart printed `width` px wide (print fonts, at most PRINT_MAX_HEIGHT tall), or its placeholder."""
    try:
        return to_png(spec, lang, width=width, height=PRINT_MAX_HEIGHT), f"{spec.title}. {spec.filters}"
    except Exception:  # noqa: BLE001 - a pack without one image beats no pack
        return png_or_placeholder(spec, lang)


def _text_box(slide, lines: list[str], left, top, width, height, size: int, font_name: str) -> None:
    from pptx.util import Pt

    tf = slide.shapes.add_textbox(left, top, width, height).text_frame
    tf.word_wrap = True
    for i, line in enumerate(lines):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.text = line
        for run in para.runs:
            run.font.size = Pt(size)
            run.font.name = font_name


def _pptx_table(slide, table: tuple, left, top, width, font_name: str) -> None:
    """The chart's numbers as a small table (header row first)."""
    from pptx.util import Inches, Pt

    header, rows = table
    data = [header, *rows]
    shape = slide.shapes.add_table(len(data), len(header), left, top, width, Inches(0.28) * len(data))
    for i, row in enumerate(data):
        for j, cell in enumerate(row):
            c = shape.table.cell(i, j)
            c.text = str(cell)
            c.margin_top = c.margin_bottom = Pt(1)
            for para in c.text_frame.paragraphs:
                for run in para.runs:
                    run.font.size = Pt(10)
                    run.font.name = font_name
                    run.font.bold = i == 0


def _pptx_title_slide(prs, layout, title: str, subtitle: str, generated: str, lang: str, font_name: str) -> None:
    from pptx.util import Inches, Pt

    slide = prs.slides.add_slide(layout)
    slide.shapes.title.text = title
    slide.shapes.title.left, slide.shapes.title.top = Inches(0.9), Inches(2.0)
    slide.shapes.title.width, slide.shapes.title.height = Inches(11.5), Inches(1.6)
    sub = slide.placeholders[1]
    sub.left, sub.top, sub.width, sub.height = Inches(0.9), Inches(3.8), Inches(11.5), Inches(1.6)
    sub.text_frame.text = subtitle
    p = sub.text_frame.add_paragraph()
    p.text = f"{t('export_generated', lang)}: {generated}"
    for para in sub.text_frame.paragraphs:
        for run in para.runs:
            run.font.size = Pt(22)
            run.font.name = font_name


def _pptx_heading(slide, text: str, size: int | None, font_name: str) -> None:
    """The slide's title across its top (its runs set to `size` pt in `font_name` when `size` is given)."""
    from pptx.util import Inches, Pt

    head = slide.shapes.title
    head.left, head.top, head.width, head.height = Inches(0.4), Inches(0.15), Inches(12.5), Inches(0.8)
    head.text = text
    if size is None:
        return
    for para in head.text_frame.paragraphs:
        for run in para.runs:
            run.font.size = Pt(size)
            run.font.name = font_name


def _pptx_picture(slide, spec: ChartSpec, lang: str, wide: bool) -> None:
    """The chart's print image under the message, 61.5 % of the slide (92 % for a wide chart), with its alt text."""
    from pptx.util import Emu, Inches

    png, alt = _print_png(spec, lang, PPTX_WIDE_WIDTH if wide else PPTX_PRINT_WIDTH)
    w_px, h_px = png_size(png)
    # 61.5 % of the slide (92 % for a wide chart): at this size the chart's 11 px text prints at 9 pt.
    pic_w = Inches(12.3 if wide else 8.2)
    pic_h = Emu(int(pic_w * h_px / w_px))
    if pic_h > Inches(5.95):  # never taller than the slide: then narrower (print_parts keeps this rare)
        pic_h = Inches(5.95)
        pic_w = Emu(int(pic_h * w_px / h_px))
    pic = slide.shapes.add_picture(io.BytesIO(png), Inches(0.4), Inches(1.45), width=pic_w, height=pic_h)
    pic._element.nvPicPr.cNvPr.set("descr", alt)  # noqa: SLF001 - alt text


def _pptx_chart_slides(prs, layout, spec: ChartSpec, lang: str, font_name: str) -> None:
    """One chart (or part): its message above, its numbers beside it (a wide chart's on the slide after it)."""
    from pptx.util import Inches

    slide = prs.slides.add_slide(layout)
    _pptx_heading(slide, spec.title, 20, font_name)
    if spec.message:
        _text_box(slide, [spec.message], Inches(0.4), Inches(0.95), Inches(12.5), Inches(0.45), 14, font_name)
    wide = print_wide(spec)
    _pptx_picture(slide, spec, lang, wide)
    slide.notes_slide.notes_text_frame.text = notes_text(spec, lang)
    if spec.numbers and not wide:
        _pptx_table(slide, spec.numbers, Inches(8.8), Inches(1.45), Inches(4.15), font_name)
    elif spec.numbers:  # a wide chart's numbers on the slide after it
        slide = prs.slides.add_slide(layout)
        slide.shapes.title.text = f"{spec.title} · {t('export_numbers', lang)}"
        _pptx_table(slide, spec.numbers, Inches(0.6), Inches(1.3), Inches(9), font_name)


def _pptx_sources_slides(prs, layout, sources: list[str], lang: str, font_name: str) -> None:
    """One compact numbered list (left-aligned), continued on as few slides as it needs."""
    from pptx.util import Inches, Pt

    src_list = [s for s in sources if s and s.strip()] or [t("export_none", lang)]
    numbered = [f"{i}. {src}" for i, src in enumerate(src_list, 1)]
    for i, page in enumerate(_chunk_sources(numbered, max_lines=24, chars_per_line=150)):
        slide = prs.slides.add_slide(layout)
        _pptx_heading(slide, t("export_sources" if i == 0 else "export_sources_cont", lang), None, font_name)
        box = slide.shapes.add_textbox(Inches(0.5), Inches(1.0), Inches(12.3), Inches(6.3))
        tf = box.text_frame
        tf.word_wrap = True
        for j, src in enumerate(page):
            para = tf.paragraphs[0] if j == 0 else tf.add_paragraph()
            _add_runs_with_links(para, src, 11)
            para.space_after = Pt(2)
            for run in para.runs:
                run.font.name = font_name


def build_pptx(specs: list[ChartSpec], *, title: str, subtitle: str, generated: str, sources: list[str],
               lang: str, targets: list[str] | None = None) -> bytes:
    """A 16:9 deck: title slide, one slide per chart (image + speaker notes), then the sources slide(s)."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    layout_title, layout_title_only = prs.slide_layouts[0], prs.slide_layouts[5]
    font_name = "Arial"  # present on every PowerPoint install and has Vietnamese

    _pptx_title_slide(prs, layout_title, title, subtitle, generated, lang, font_name)
    # One slide per chart (a long ranking: one per part), its message above, its numbers beside it.
    for spec in (part for sp in specs for part in print_parts(sp, lang)):
        _pptx_chart_slides(prs, layout_title_only, spec, lang, font_name)
    _targets_slides(prs, targets or [], lang, font_name)
    _pptx_sources_slides(prs, layout_title_only, sources, lang, font_name)

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --- PDF -----------------------------------------------------------------------------------------------------------


def _pdf_table(pdf, table: tuple, x: float, y: float, width: float) -> float:
    """The chart's numbers as a small table at (x, y), `width` mm wide; returns the y below it."""
    from fpdf.fonts import FontFace

    if not table:
        return y
    header, rows = table
    pdf.set_xy(x, y)
    pdf.set_left_margin(x)
    pdf.set_font("DejaVu", size=8.5)
    with pdf.table(width=width, align="LEFT", text_align="LEFT", line_height=4.2, padding=0.7,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                   borders_layout="HORIZONTAL_LINES") as tab:
        for row in (header, *rows):
            r = tab.row()
            for cell in row:
                r.cell(str(cell))
    pdf.set_left_margin(15)
    return pdf.get_y()


def build_pdf(specs: list[ChartSpec], *, title: str, subtitle: str, generated: str, sources: list[str],
              lang: str, targets: list[str] | None = None) -> bytes:
    """An A4 landscape PDF with the same content as ``build_pptx`` (notes printed under each chart)."""
    from fpdf import FPDF

    class _PDF(FPDF):
        continued_title: str | None = None  # printed at the top of pages the sources list runs onto

        def header(self) -> None:  # noqa: D401 - fpdf2 hook
            if self.continued_title:
                self.set_font("DejaVu", "B", 16)
                self.cell(0, 9, self.continued_title, new_x="LMARGIN", new_y="NEXT")
                self.ln(2)
                self.set_font("DejaVu", size=10)

        def footer(self) -> None:  # noqa: D401 - fpdf2 hook
            self.set_y(-10)
            self.set_font("DejaVu", size=8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, f"{title} · {t('export_generated', lang)}: {generated}", align="L")
            self.set_x(self.l_margin)
            self.cell(0, 5, f"{t('export_page', lang)} {self.page_no()}/{{nb}}", align="R")

    pdf = _PDF(orientation="L", unit="mm", format="A4")
    epw = setup_pdf(pdf, title, lang, bottom=14)
    bottom = pdf.h - 14

    # Title page.
    pdf.add_page()
    pdf.set_y(60)
    pdf.set_font("DejaVu", "B", 26)
    pdf.multi_cell(epw, 12, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", size=15)
    pdf.multi_cell(epw, 8, subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", size=12)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(epw, 7, f"{t('export_generated', lang)}: {generated}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)

    # One page per chart (a long ranking: one per part): title, message, the chart at 60 % of the page (its image
    # carries the filters, method note, source and as-of dates) with its numbers beside it. Left-aligned text.
    for spec in (part for sp in specs for part in print_parts(sp, lang)):
        pdf.add_page()
        pdf.start_section(spec.title)  # PDF outline (bookmarks)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(epw, 6.2, spec.title, align="L", new_x="LMARGIN", new_y="NEXT")
        if spec.message:
            pdf.set_font("DejaVu", size=10)
            pdf.multi_cell(epw, 5, spec.message, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
        top = pdf.get_y()
        wide = print_wide(spec)
        png, alt = _print_png(spec, lang, PDF_WIDE_WIDTH if wide else PDF_PRINT_WIDTH)
        w_px, h_px = png_size(png)
        img_w = (1.0 if wide else PDF_CHART_SHARE) * epw  # at this size the chart's 11 px text prints at 9 pt
        img_h = img_w * h_px / w_px
        if img_h > bottom - top - 9:
            img_h = bottom - top - 9
            img_w = img_h * w_px / h_px
        pdf.image(io.BytesIO(png), x=pdf.l_margin, y=top, w=img_w, h=img_h, alt_text=alt)
        # The filters once more as text under the image: searchable and read aloud (the image's header is pixels).
        pdf.set_xy(pdf.l_margin, top + img_h + 1)
        pdf.set_font("DejaVu", size=7.5)
        pdf.set_text_color(80, 80, 80)
        pdf.multi_cell(img_w, 3.4, prefixed(spec.filters, t("export_filters", lang)), align="L",
                       new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        img_h = pdf.get_y() - top
        if not wide:  # the image carries its filters, note, source, as-of; its numbers go beside it
            pdf.set_y(max(top + img_h, _pdf_table(pdf, spec.numbers, pdf.l_margin + PDF_CHART_SHARE * epw + 4, top,
                                                  (1 - PDF_CHART_SHARE) * epw - 4)) + 2)
        elif spec.numbers:  # a wide chart's numbers on the page after it
            pdf.add_page()
            pdf.set_font("DejaVu", "B", 13)
            pdf.multi_cell(epw, 6.2, f"{spec.title} · {t('export_numbers', lang)}", align="L",
                           new_x="LMARGIN", new_y="NEXT")
            _pdf_table(pdf, spec.numbers, pdf.l_margin, pdf.get_y() + 2, 0.6 * epw)

    _targets_pages(pdf, targets or [], lang, epw)

    # Sources: one compact numbered list, left-aligned, continued on the next page only when it must.
    pdf.add_page()
    pdf.start_section(t("export_sources", lang))
    pdf.set_font("DejaVu", "B", 14)
    pdf.cell(epw, 8, t("export_sources", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.continued_title = t("export_sources_cont", lang)
    pdf.set_font("DejaVu", size=8.5)
    src_list = [s for s in sources if s and s.strip()] or [t("export_none", lang)]
    for i, src in enumerate(src_list, 1):
        pos = 0
        pdf.write(4.2, f"{i}. ")
        for m in _URL_RE.finditer(src):
            pdf.write(4.2, src[pos:m.start()])
            pdf.set_text_color(20, 70, 160)
            pdf.write(4.2, m.group(0), link=m.group(0))
            pdf.set_text_color(0, 0, 0)
            pos = m.end()
        pdf.write(4.2, src[pos:])
        pdf.ln(5)

    return bytes(pdf.output())


# --- The state's targets (lib.views.targets.pack_lines): one line per unit and target, before the sources ---


def _targets_slides(prs, lines: list[str], lang: str, font_name: str) -> None:
    from pptx.util import Inches, Pt

    for i, page in enumerate(_chunk_sources(lines, max_lines=12, chars_per_line=120) if lines else []):
        slide = prs.slides.add_slide(prs.slide_layouts[5])
        head = slide.shapes.title
        head.left, head.top, head.width, head.height = Inches(0.5), Inches(0.2), Inches(12.33), Inches(0.9)
        head.text = t("targets_title", lang) + (f" ({i + 1})" if i else "")
        tf = slide.shapes.add_textbox(Inches(0.6), Inches(1.2), Inches(12.1), Inches(5.9)).text_frame
        tf.word_wrap = True
        for j, line in enumerate(page):
            para = tf.paragraphs[0] if j == 0 else tf.add_paragraph()
            para.text = f"• {line}"
            para.space_after = Pt(6)
            for run in para.runs:
                run.font.size, run.font.name = Pt(14), font_name


def _targets_pages(pdf, lines: list[str], lang: str, epw: float) -> None:
    if not lines:
        return
    pdf.add_page()
    pdf.start_section(t("targets_title", lang))
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(epw, 9, t("targets_title", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", size=10)
    for line in lines:
        pdf.multi_cell(epw, 5.2, f"• {line}", align="L", new_x="LMARGIN", new_y="NEXT")  # never justified
        pdf.ln(1.5)
