"""The briefing pack: a PowerPoint deck and the same as a PDF (title, one slide or page per chart with
its sources and as-of dates in the notes, then every source). A chart that cannot be rendered gets a
placeholder image saying so; titles, notes and sources are kept.
"""

from __future__ import annotations

import io
import re

from lib.export.layout import FONT_BOLD, FONT_REGULAR, notes_text, wrap
from lib.export.render import png_or_placeholder, png_size
from lib.export.spec import EXPORT_HEIGHT, EXPORT_WIDTH, ChartSpec
from lib.i18n import t

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


def build_pptx(specs: list[ChartSpec], *, title: str, subtitle: str, generated: str, sources: list[str],
               lang: str, targets: list[str] | None = None) -> bytes:
    """A 16:9 deck: title slide, one slide per chart (image + speaker notes), then the sources slide(s)."""
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    layout_title, layout_title_only = prs.slide_layouts[0], prs.slide_layouts[5]
    font_name = "Arial"  # present on every PowerPoint install and has Vietnamese

    # Title slide.
    slide = prs.slides.add_slide(layout_title)
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

    # One slide per chart.
    for spec in specs:
        slide = prs.slides.add_slide(layout_title_only)
        head = slide.shapes.title
        head.left, head.top, head.width, head.height = Inches(0.5), Inches(0.2), Inches(12.33), Inches(0.9)
        head.text = spec.title
        for para in head.text_frame.paragraphs:
            for run in para.runs:
                run.font.size = Pt(24)
                run.font.name = font_name
        png, alt = png_or_placeholder(spec, lang)
        w_px, h_px = png_size(png)
        pic_h = Inches(6.2)
        pic_w = Emu(int(pic_h * w_px / h_px))  # a tall chart (63-province ranking) keeps its proportions
        pic = slide.shapes.add_picture(io.BytesIO(png), int((prs.slide_width - pic_w) / 2), Inches(1.15),
                                       width=pic_w, height=pic_h)
        pic._element.nvPicPr.cNvPr.set("descr", alt)  # noqa: SLF001 - alt text
        slide.notes_slide.notes_text_frame.text = notes_text(spec, lang)

    _targets_slides(prs, targets or [], lang, font_name)

    # Sources slide(s).
    src_list = [s for s in sources if s and s.strip()] or [t("export_none", lang)]
    pages = _chunk_sources(src_list, max_lines=16, chars_per_line=120)
    for i, page in enumerate(pages):
        slide = prs.slides.add_slide(layout_title_only)
        head = slide.shapes.title
        head.left, head.top, head.width, head.height = Inches(0.5), Inches(0.2), Inches(12.33), Inches(0.9)
        head.text = t("export_sources" if i == 0 else "export_sources_cont", lang)
        box = slide.shapes.add_textbox(Inches(0.6), Inches(1.2), Inches(12.1), Inches(5.9))
        tf = box.text_frame
        tf.word_wrap = True
        for j, src in enumerate(page):
            para = tf.paragraphs[0] if j == 0 else tf.add_paragraph()
            _add_runs_with_links(para, f"• {src}", 14)
            para.space_after = Pt(4)
            for run in para.runs:
                run.font.name = font_name

    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# --- PDF -----------------------------------------------------------------------------------------------------------


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
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("provinces dashboard")
    pdf.add_font("DejaVu", fname=str(FONT_REGULAR))
    pdf.add_font("DejaVu", style="B", fname=str(FONT_BOLD))
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, margin=14)
    epw = pdf.w - pdf.l_margin - pdf.r_margin
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

    # One page per chart; the image shrinks so that the notes fit on the same page.
    ratio = EXPORT_HEIGHT / EXPORT_WIDTH
    for spec in specs:
        pdf.add_page()
        pdf.start_section(spec.title)  # PDF outline (bookmarks)
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(epw, 7, spec.title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        notes = notes_text(spec, lang)
        pdf.set_font("DejaVu", size=9)
        note_lines = pdf.multi_cell(epw, 4.6, notes, dry_run=True, output="LINES") if notes else []
        notes_h = 4.6 * len(note_lines)
        png, alt = png_or_placeholder(spec, lang)
        w_px, h_px = png_size(png)
        ratio = h_px / w_px  # this chart's own proportions
        img_h = min(epw * ratio, bottom - pdf.get_y() - notes_h - 4)
        img_h = max(img_h, 90.0)
        img_w = min(img_h / ratio, epw)
        img_h = img_w * ratio
        pdf.image(io.BytesIO(png), x=pdf.l_margin + (epw - img_w) / 2, y=pdf.get_y(), w=img_w, h=img_h,
                  alt_text=alt)
        pdf.set_y(pdf.get_y() + img_h + 3)
        if notes:
            pdf.set_font("DejaVu", size=9)
            pdf.set_text_color(50, 50, 50)
            pdf.multi_cell(epw, 4.6, notes, new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)

    _targets_pages(pdf, targets or [], lang, epw)

    # Sources page(s): fpdf2 continues on a new page when the list is long.
    pdf.add_page()
    pdf.start_section(t("export_sources", lang))
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(epw, 9, t("export_sources", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.continued_title = t("export_sources_cont", lang)
    pdf.set_font("DejaVu", size=10)
    src_list = [s for s in sources if s and s.strip()] or [t("export_none", lang)]
    for src in src_list:
        pos = 0
        pdf.write(5.2, "• ")
        for m in _URL_RE.finditer(src):
            pdf.write(5.2, src[pos:m.start()])
            pdf.set_text_color(20, 70, 160)
            pdf.write(5.2, m.group(0), link=m.group(0))
            pdf.set_text_color(0, 0, 0)
            pos = m.end()
        pdf.write(5.2, src[pos:])
        pdf.ln(7)

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
        pdf.multi_cell(epw, 5.2, f"• {line}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
