"""A VALID copy of the shipped dataset whose text is full of HTML, Markdown, script and formula payloads
(synthetic, for tests only). Every link or image points to 127.0.0.1:9 ("discard"), so even a payload
that escaped would send nothing off this machine; tests fail on any such request."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "http://127.0.0.1:9"
IMG = f"<img src='{HOST}/evil-img.png'>"
LINK = f"<a href='{HOST}/evil-a'>Bấm vào đây</a>"
MD_LINK = f"[Đăng nhập lại tại đây]({HOST}/evil-md)"
MD_IMG = f"![x]({HOST}/evil-md.png)"
SCRIPT = "<script>window.__pwned=1</script>"
FORMULA = f'=HYPERLINK("{HOST}/evil-xl","Bấm")'
MARKERS = ("evil-img", "evil-a", "evil-md", "evil-xl")


def hostile_text(src: Path | None = None) -> str:
    """The shipped dataset with payloads in a unit name, an indicator title, a period, a publisher,
    a source title and description, an event title, a partner and a quote."""
    text = (src or ROOT / "data" / "provinces.yaml").read_text(encoding="utf-8")
    swaps = [
        ('name: {vi: "Quảng Trị", en: "Quang Tri"}\n    full_name: "Tỉnh Quảng Trị"\n    type: "province"',
         f'name: {{vi: "Quảng Trị {IMG} {MD_LINK}", en: "Quang Tri {LINK} {MD_IMG}"}}\n    full_name: "Tỉnh Quảng Trị"\n    type: "province"'),
        ("title: {vi: Chỉ số chuyển đổi số cấp tỉnh (DTI), en: Provincial digital transformation index (DTI)}",
         f'title: {{vi: "DTI {LINK} {SCRIPT}", en: "DTI {MD_LINK} {IMG}"}}'),
        ('{unit: "quang-tri", indicator: "dti_score", value: 0.4866, basis: 63, date: "2022", period: "DTI 2022"',
         f'{{unit: "quang-tri", indicator: "dti_score", value: 0.4866, basis: 63, date: "2022", period: "DTI 2022 {MD_IMG} {IMG}"'),
        ('publisher: "Bộ Khoa học và Công nghệ"\n    description: {vi: "Bảng Chỉ số chuyển đổi số cấp tỉnh (DTI) năm 2024 theo 63',
         f'publisher: "Bộ KH&CN {LINK} {MD_LINK}"\n    description: {{vi: "{IMG} Bảng Chỉ số chuyển đổi số cấp tỉnh (DTI) năm 2024 theo 63'),
        ('en: "Provincial digital transformation index (DTI) 2024, table of the 63',
         f'en: "{MD_IMG} {LINK} Provincial digital transformation index (DTI) 2024, table of the 63'),
        ('title: "Tập đoàn Bưu chính Viễn thông Việt Nam và UBND tỉnh Quảng Trị sơ kết',
         f'title: "{IMG} {MD_LINK} Tập đoàn Bưu chính Viễn thông Việt Nam và UBND tỉnh Quảng Trị sơ kết'),
        ('title: {vi: "Ký thỏa thuận hợp tác chiến lược VT-CNTT giai đoạn 2020–2025 với VNPT"',
         f'title: {{vi: "Ký thỏa thuận {LINK} {MD_LINK} {SCRIPT}"'),
        ('partner: "VNPT"\n    period: {start: 2020, end: 2025}\n    source: "founding_002_quang_binh_2020"',
         f'partner: "VNPT {IMG}"\n    period: {{start: 2020, end: 2025}}\n    source: "founding_002_quang_binh_2020"'),
        ('quote: "{\\"province\\": \\"Quảng Trị\\", \\"pdti\\": 0.4866}',
         f'quote: "{FORMULA.replace(chr(34), chr(92) + chr(34))} {{\\"province\\": \\"Quảng Trị\\", \\"pdti\\": 0.4866}}'),
    ]
    for old, new in swaps:
        assert old in text, old[:60]
        text = text.replace(old, new, 1)
    return text


def write_hostile(path: Path) -> Path:
    path.write_text(hostile_text(), encoding="utf-8")
    return path
