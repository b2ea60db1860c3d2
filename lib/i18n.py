"""UI strings in Vietnamese and English, and number/date formats for each language.

Indicator titles and units are not here: they live in the dataset's registry.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

import pandas as pd

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

STRINGS: dict[str, dict[str, str]] = {
    "app_title": {"vi": "Chính quyền số cấp tỉnh", "en": "Provincial digital government"},
    "loading_data": {"vi": "Đang đọc và kiểm tra tệp dữ liệu…", "en": "Reading and checking the data file…"},
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "page_overview": {"vi": "Tổng quan", "en": "Overview"},
    "page_compare": {"vi": "So sánh", "en": "Compare"},
    "page_timeline": {"vi": "Dòng thời gian", "en": "Timeline"},
    "page_sources": {"vi": "Nguồn & dữ liệu", "en": "Sources & data"},
    "filters": {"vi": "Bộ lọc", "en": "Filters"},
    "boundaries": {"vi": "Địa giới", "en": "Boundaries"},
    "boundaries_63": {"vi": "63 tỉnh (trước 7/2025)", "en": "63 provinces (before 7/2025)"},
    "boundaries_34": {"vi": "34 đơn vị (từ 7/2025)", "en": "34 units (from 7/2025)"},
    "provinces": {"vi": "Tỉnh, thành phố", "en": "Provinces"},
    # The province box filters by the label as written (Streamlit's own matching, diacritics included);
    # typing without diacritics or a former name is what the search box above it is for.
    "provinces_help": {"vi": "Chọn trong danh sách, hoặc gõ tên có dấu (ví dụ: Quảng Trị). Gõ không dấu hay tên "
                             "cũ: dùng ô «Tìm tỉnh» ở trên.",
                       "en": "Pick from the list, or type the name with its diacritics (e.g. Quảng Trị). Without "
                             "diacritics or by a former name: use the «Find a province» box above."},
    "provinces_placeholder": {"vi": "Chọn tỉnh, thành phố…", "en": "Choose provinces…"},
    "search_help": {"vi": "Gõ không dấu hoặc tên cũ (ví dụ: quang tri, hue, quang binh), rồi bấm vào kết quả để thêm.",
                    "en": "Type without diacritics or a former name (e.g. quang tri, hue, quang binh), then click a result "
                          "to add it."},
    "preset": {"vi": "Chọn nhanh", "en": "Quick pick"},
    "preset_custom": {"vi": "Tự chọn", "en": "Custom"},
    "preset_founding": {"vi": "4 tỉnh của các bài báo gốc", "en": "The 4 provinces of the founding articles"},
    "preset_all": {"vi": "Tất cả", "en": "All"},
    "preset_region": {"vi": "Vùng: {region}", "en": "Region: {region}"},
    "search_old_name": {"vi": "Tìm tỉnh (không dấu, tên cũ)", "en": "Find a province (no diacritics needed, former names)"},
    "period": {"vi": "Giai đoạn", "en": "Period"},
    "indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "before_merger": {"vi": "trước 7/2025", "en": "before 7/2025"},
    "after_merger": {"vi": "từ 7/2025", "en": "from 7/2025"},
    "formed_from": {"vi": "thành lập 1/7/2025 từ {names}", "en": "formed on 1/7/2025 from {names}"},
    "merged_into": {"vi": "sáp nhập vào {name} từ 1/7/2025", "en": "merged into {name} on 1/7/2025"},
    "and": {"vi": "và", "en": "and"},
    "no_data": {"vi": "Không có dữ liệu", "en": "No data"},
    "target_met": {"vi": "đạt", "en": "met"},
    "target_not_met": {"vi": "chưa đạt", "en": "not met"},
    "target_not_yet_due": {"vi": "chưa đến hạn", "en": "not yet due"},
    "target_no_data": {"vi": "không có số liệu", "en": "no data"},
    "target_no_data_year": {"vi": "chưa có số liệu năm {year}", "en": "no {year} value"},
    "target_partial": {"vi": "chỉ tiêu gần đúng", "en": "closest indicator"},
    "target_national": {"vi": "mục tiêu quốc gia, không phải nghĩa vụ của tỉnh",
                        "en": "national target, not a provincial obligation"},
    "target_province": {"vi": "áp dụng cho từng tỉnh", "en": "binds each province"},
    "target_col_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "target_col_target": {"vi": "Mục tiêu", "en": "Target"},
    "target_col_year": {"vi": "Năm", "en": "Year"},
    "target_col_latest": {"vi": "Giá trị gần nhất", "en": "Latest value"},
    "target_col_status": {"vi": "Tình trạng", "en": "Status"},
    "target_col_gap": {"vi": "Khoảng cách (giá trị − mục tiêu)", "en": "Gap (value − target)"},
    "target_col_scope": {"vi": "Phạm vi", "en": "Scope"},
    "targets_title": {"vi": "Mục tiêu của Nhà nước", "en": "The state's targets"},
    "targets_caption": {"vi": "Mỗi tỉnh đang chọn so với mục tiêu trong văn bản của Chính phủ, Thủ tướng, trên các chỉ "
                                "tiêu tỉnh có số liệu. Đánh giá theo số liệu của đúng năm mục tiêu; trước hết năm đó là "
                                "“chưa đến hạn”. Mục tiêu quốc gia chỉ để tham chiếu.",
                        "en": "Each selected province against the targets set by the Government's and the Prime "
                              "Minister's texts, on the indicators it has values of. Judged on the value of the target "
                              "year itself; before that year ends, “not yet due”. National targets are references only."},
    "targets_left_out": {"vi": "{n} mục tiêu trên các chỉ tiêu chưa có số liệu của các tỉnh này không được liệt kê "
                               "(xem trang Nguồn).",
                         "en": "{n} targets on indicators these provinces have no values of are not listed (see Sources)."},
    "targets_none": {"vi": "Các tỉnh đang chọn chưa có số liệu cho chỉ tiêu nào có mục tiêu.",
                     "en": "The selected provinces have no values of any indicator with a target."},
    "targets_sources_title": {"vi": "Mục tiêu và văn bản quy định", "en": "Targets and the legal texts that set them"},
    "target_conf_high": {"vi": "cao", "en": "high"},
    "target_conf_medium": {"vi": "trung bình (bản tóm tắt hoặc báo chí, chưa đọc văn bản gốc)",
                           "en": "medium (a summary or the press; the official text not read)"},
    "target_conf_low": {"vi": "thấp (các nguồn chưa thống nhất)", "en": "low (the sources disagree)"},
    "target_src_document": {"vi": "Văn bản", "en": "Document"},
    "target_src_title": {"vi": "Tên văn bản", "en": "Title"},
    "target_src_clause": {"vi": "Điều khoản", "en": "Clause"},
    "target_src_wording": {"vi": "Nội dung mục tiêu", "en": "Wording"},
    "target_src_quote": {"vi": "Trích dẫn", "en": "Quote"},
    "target_src_source": {"vi": "Nguồn đăng", "en": "Printed in"},
    "bounds_not_drawn": {"vi": "Chỉ biết giới hạn, không vẽ thành số: {items}.",
                         "en": "Known only as a bound, not drawn as a number: {items}."},
    "no_data_filters": {"vi": "Không có dữ liệu cho bộ lọc đang chọn. Hãy chọn thêm tỉnh, mở rộng giai đoạn hoặc đổi chỉ tiêu.",
                        "en": "No data for the current filters. Add provinces, widen the period or choose another indicator."},
    "no_provinces": {"vi": "Chưa chọn tỉnh nào. Hãy chọn ít nhất một tỉnh ở thanh bên.",
                     "en": "No province selected. Pick at least one in the sidebar."},
    "alt_chart": {"vi": "Biểu đồ", "en": "Chart"},
    "alt_counts": {"vi": "{n} giá trị của {units} tỉnh/đơn vị, {period}.",
                   "en": "{n} values of {units} provinces/units, {period}."},
    "alt_extremes": {"vi": "Lớn nhất: {hi_unit} {hi}; nhỏ nhất: {lo_unit} {lo}.",
                     "en": "Largest: {hi_unit} {hi}; smallest: {lo_unit} {lo}."},
    "alt_selected": {"vi": "Các tỉnh đã chọn: {values}.", "en": "Selected: {values}."},
    "alt_no_data": {"vi": "Không có số liệu: {units}.", "en": "No data: {units}."},
    "alt_matrix": {"vi": "{indicators} chỉ tiêu của {units} tỉnh/đơn vị.",
                   "en": "{indicators} indicators of {units} provinces/units."},
    "alt_per_unit": {"vi": "Số chỉ tiêu có số liệu: {values}.", "en": "Indicators with data: {values}."},
    "alt_unit_count": {"vi": "{unit} {n}", "en": "{unit} {n}"},
    "alt_events": {"vi": "{n} sự kiện.", "en": "{n} events."},
    "switch_expanded": {"vi": "{unit} gồm nhiều tỉnh trước 7/2025: đã chọn {parts}.",
                        "en": "{unit} was several provinces before 7/2025: selected {parts}."},
    "bad_link": {"vi": "Liên kết có giá trị không hợp lệ ({what}); đã dùng mặc định.",
                 "en": "The link had an invalid value ({what}); the default is used."},
    "dataset_broken": {"vi": "Tệp dữ liệu có lỗi nên bảng điều khiển chưa thể hiển thị. Danh sách lỗi:",
                       "en": "The dataset has errors, so the dashboard cannot show it. The errors:"},
    "source": {"vi": "Nguồn", "en": "Source"},
    "sources": {"vi": "Nguồn", "en": "Sources"},
    "as_of": {"vi": "thời điểm", "en": "as of"},
    "change_since": {"vi": "so với {date}", "en": "since {date}"},
    "latest_value": {"vi": "Giá trị mới nhất", "en": "Latest value"},
    "provinces_with_data": {"vi": "{n} tỉnh/đơn vị có dữ liệu {indicator}.",
                            "en": "{n} provinces/units have data for {indicator}."},
    "ranking": {"vi": "Xếp hạng", "en": "Ranking"},
    "derived": {"vi": "giá trị tính gộp", "en": "derived value"},
    "derived_sum": {"vi": "giá trị tính gộp: tổng của các tỉnh cũ", "en": "derived value: sum of the former provinces"},
    "derived_weighted_mean": {"vi": "giá trị tính gộp: bình quân gia quyền của các tỉnh cũ",
                              "en": "derived value: weighted mean of the former provinces"},
    "not_combinable": {"vi": "không cộng gộp được", "en": "not combinable"},
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    "low_confidence": {"vi": "độ tin cậy thấp", "en": "low confidence"},
    "summary_units": {"vi": "Tỉnh, thành phố", "en": "Provinces and cities"},
    "summary_indicators": {"vi": "Chỉ tiêu", "en": "Indicators"},
    "summary_sources": {"vi": "Nguồn", "en": "Sources"},
    "summary_observations": {"vi": "Số liệu", "en": "Observations"},
    "summary_events": {"vi": "Sự kiện", "en": "Events"},
    "dataset_updated": {"vi": "Dữ liệu cập nhật ngày {date}", "en": "Data updated {date}"},
    "radar_first_n": {"vi": "Biểu đồ radar chỉ vẽ {n} tỉnh đầu tiên.", "en": "The radar shows the first {n} units only."},
    "radar_needs_three": {"vi": "Cần ít nhất 3 chỉ tiêu mà phần lớn các tỉnh đã chọn đều có dữ liệu để vẽ biểu đồ radar.",
                          "en": "A radar needs at least 3 indicators that most selected units have."},
    "heatmap_note": {"vi": "Ô xám có dấu —: không có số liệu. Số kèm (năm) trên nền xám: giá trị của năm khác, không tô màu. "
                           "Số trên nền xám không kèm năm: không có giá trị nào khác để so sánh (một tỉnh, hoặc mọi tỉnh bằng nhau), "
                           "không tô màu.",
                     "en": "Grey cell with —: no data. A number with (year) on grey: a value of another year, not coloured. "
                           "A number on grey without a year: nothing to compare it with (one unit, or all units equal), "
                           "not coloured."},
    "heatmap_no_comparison": {"vi": "Không có giá trị nào khác để so sánh trong năm {year}: không tô màu",
                              "en": "Nothing to compare with in {year}: not coloured"},
    "radar_year_name": {"vi": "{name} ({year})", "en": "{name} ({year})"},
    "heatmap_other_year": {"vi": "Giá trị của năm khác: không tô màu (hàng này so sánh năm {year})",
                           "en": "A value of another year: not coloured (this row compares {year})"},
    "heatmap_title": {"vi": "Bản đồ nhiệt chỉ tiêu (chuẩn hóa 0–1 trong năm của mỗi hàng, 1 = tốt nhất)",
                      "en": "Indicator heatmap (normalised 0–1 within each row's year, 1 = best)"},
    "radar_title": {"vi": "Hồ sơ chỉ tiêu chuẩn hóa (1 = tốt nhất)", "en": "Normalised indicator profile (1 = best)"},
    "gantt_title": {"vi": "Thời hạn các thỏa thuận hợp tác", "en": "Cooperation agreement periods"},
    "ranking_around": {"vi": "đơn vị đã chọn và {k} đơn vị liền trước, liền sau / {total}",
                       "en": "the selected units and {k} neighbours each side / {total}"},
    "ranking_position_note": {"vi": "Số trước tên: vị trí theo giá trị trong {n} đơn vị có số liệu (bảng điều khiển "
                                    "tính; không phải hạng công bố).",
                              "en": "The number before a name: its position by value among the {n} units with data "
                                    "(computed by the dashboard; not the published rank)."},
    "median_note": {"vi": "Đường đứt nét: trung vị của mọi đơn vị.", "en": "Dashed line: the median of all units."},
    "ranking_cut": {"vi": "{n} đầu, {n} cuối và các tỉnh đã chọn / {total}",
                    "en": "top {n}, bottom {n} and the selected of {total}"},
    "download_csv": {"vi": "Tải CSV", "en": "Download CSV"},
    "download_xlsx": {"vi": "Tải Excel", "en": "Download Excel"},
    "coverage_title": {"vi": "Độ phủ dữ liệu (năm mới nhất)", "en": "Coverage (latest year)"},
    "link": {"vi": "Liên kết", "en": "Link"},
    "percentage_points": {"vi": "điểm %", "en": "pp"},
    "indicator_coverage_help": {
        "vi": "Sau tên chỉ tiêu: số tỉnh/đơn vị có số liệu trong năm đầy đủ nhất / tổng số, và các năm có số liệu.",
        "en": "After each title: units with a value in the best-covered year / all units, and the years with data."},
    "standing_title": {"vi": "Vị trí của các tỉnh đã chọn", "en": "Where the selected units stand"},
    "col_unit": {"vi": "Tỉnh/đơn vị", "en": "Unit"},
    "col_value_year": {"vi": "Giá trị {year}", "en": "Value {year}"},
    "col_change": {"vi": "Thay đổi so với {year}", "en": "Change since {year}"},
    "col_rank_year": {"vi": "Hạng công bố {year}", "en": "Published rank {year}"},
    "cards_mixed_periods": {"vi": "Lưu ý: các giá trị dưới đây thuộc các thời điểm khác nhau, không so sánh trực tiếp.",
                            "en": "Note: the values below are from different periods; do not compare them directly."},
    "merger_sentence": {"vi": "Từ 1/7/2025, {names} hợp nhất thành {name}.",
                        "en": "On 1/7/2025, {names} merged into {name}."},
    "dataset_counts": {"vi": "Bộ dữ liệu", "en": "The dataset"},
    "dataset_counts_note": {"vi": "Số tỉnh/đơn vị theo địa giới đang chọn (63 tỉnh trước 1/7/2025 hoặc 34 đơn vị từ 1/7/2025).",
                            "en": "Units of the chosen boundaries (63 provinces before 1/7/2025 or 34 units from then)."},
    "thin_coverage": {"vi": "{k}/{n} tỉnh có số liệu · không có số liệu: {names}",
                      "en": "{k}/{n} units have data · no data: {names}"},
    "no_public_link": {"vi": "Ô liên kết trống: bài báo gốc do dự án lưu giữ, không có bản công khai (trích dẫn đầy đủ "
                             "trong tệp CSV và Excel).",
                       "en": "An empty link: an original article kept by the project, with no public copy (the full "
                             "citation is in the CSV and Excel files)."},
    "stored_article": {"vi": "(bài báo gốc, bản lưu của dự án; không có liên kết công khai)",
                       "en": "(original article, kept by the project; no public link)"},
    "subindex_first_eight": {"vi": "Biểu đồ chỉ số thành phần vẽ {n} tỉnh đầu tiên có số liệu; trung vị tính trên tất cả.",
                             "en": "The sub-index chart draws the first {n} units with data; the median is of all."},
    "selected_units": {"vi": "Các tỉnh đã chọn", "en": "Selected units"},
    "col_rank_change": {"vi": "Thay đổi hạng", "en": "Rank change"},
    "rank_improved": {"vi": "tăng {n} bậc", "en": "up {n} places"},
    "rank_fell": {"vi": "giảm {n} bậc", "en": "down {n} places"},
    "rank_same": {"vi": "giữ nguyên", "en": "unchanged"},
    "not_published": {"vi": "không công bố", "en": "not published"},
    "movement_title": {"vi": "Diễn biến qua các năm: các tỉnh đã chọn trên nền tất cả các tỉnh",
                       "en": "Year by year: the selected units against all units"},
    "all_units": {"vi": "Tất cả các tỉnh/đơn vị", "en": "All units"},
    "ranks_printed": {"vi": "{n}/{total} hạng được công bố", "en": "{n} of {total} ranks printed"},
    "ranks_left_out": {"vi": "Không vẽ các năm mà bảng xếp hạng chưa đầy đủ: {years}.",
                       "en": "Years whose ranking is incomplete are not drawn: {years}."},
    "method_changed": {"vi": "Phương pháp tính thay đổi giữa các năm: so sánh giữa các năm chỉ để tham khảo.",
                       "en": "The method changed between years: compare years with care."},
    "subindex_title": {"vi": "Chỉ số thành phần {year}: các tỉnh đã chọn và trung vị",
                       "en": "Sub-indices {year}: the selected units and the median"},
    "median_of": {"vi": "Trung vị ({n} tỉnh/đơn vị có số liệu)", "en": "Median ({n} units with data)"},
    "no_subindices": {"vi": "Chỉ tiêu này không có chỉ số thành phần với số liệu cho các tỉnh đã chọn.",
                      "en": "This indicator has no sub-indices with data for the selected units."},
    "scatter_title": {"vi": "Tương quan hai chỉ tiêu · {year}", "en": "Two indicators side by side · {year}"},
    "scatter_x": {"vi": "Trục ngang", "en": "Horizontal axis"},
    "scatter_y": {"vi": "Trục dọc", "en": "Vertical axis"},
    "scatter_year": {"vi": "Năm", "en": "Year"},
    "scatter_fit": {"vi": "Vẽ đường xu hướng (hồi quy tuyến tính)", "en": "Draw a trend line (linear fit)"},
    "trend_line": {"vi": "Đường xu hướng", "en": "Trend line"},
    "scatter_empty": {"vi": "Không có tỉnh nào có cả hai chỉ tiêu trong năm này trên cùng một cơ sở (63 hoặc 34).",
                      "en": "No unit has both indicators in this year on the same basis (63 or 34)."},
    "units_with_both": {"vi": "{n} tỉnh/đơn vị có cả hai chỉ tiêu", "en": "{n} units have both indicators"},
    "official_34_title": {"vi": "DTI 2024 theo 34 đơn vị và của các tỉnh trước sáp nhập",
                          "en": "DTI 2024 of the 34 units and of the provinces before the merger"},
    "official_34_note": {
        "vi": "Giá trị của 34 đơn vị do Bộ Khoa học và Công nghệ tính từ trung bình chỉ số của các tỉnh trước "
              "sáp nhập. Bảng điều khiển này không tự cộng gộp chỉ số (quy tắc của chỉ số: không cộng gộp được).",
        "en": "The 34 units' values were computed by the Ministry of Science and Technology from the averages of "
              "the pre-merger provinces' indices. This dashboard never combines an index itself (its rule: "
              "not combinable)."},
    "col_official_34": {"vi": "Giá trị chính thức (34 đơn vị)", "en": "Official value (34 units)"},
    "col_predecessors": {"vi": "Các tỉnh trước sáp nhập (63 tỉnh)", "en": "Provinces before the merger (63)"},
    "position_by_value": {"vi": "vị trí theo giá trị (tính từ dữ liệu, không phải hạng công bố)",
                          "en": "position by value (computed, not a published rank)"},
    "export_source": {"vi": "Nguồn", "en": "Source"},
    "export_sources": {"vi": "Nguồn", "en": "Sources"},
    "export_sources_cont": {"vi": "Nguồn (tiếp)", "en": "Sources (continued)"},
    "export_as_of": {"vi": "Số liệu tính đến", "en": "Data as of"},
    "export_filters": {"vi": "Bộ lọc", "en": "Filters"},
    "export_notes": {"vi": "Ghi chú", "en": "Notes"},
    "export_generated": {"vi": "Ngày tạo", "en": "Generated"},
    "export_page": {"vi": "Trang", "en": "Page"},
    "export_none": {"vi": "(không có)", "en": "(none)"},
    "export_failed": {"vi": "Không tạo được ảnh biểu đồ trên máy chủ.", "en": "The server could not render the chart image."},
    "export_failed_hint": {"vi": "Hãy tải bản HTML hoặc dùng nút máy ảnh của biểu đồ.", "en": "Download the HTML version or use the chart's camera button."},
    "dl_png": {"vi": "Tải PNG", "en": "Download PNG"},
    "dl_svg": {"vi": "Tải SVG", "en": "Download SVG"},
    "dl_html": {"vi": "Tải HTML", "en": "Download HTML"},
    "dl_png_help": {"vi": "Ảnh {w}×{h} điểm ảnh, kèm tiêu đề, bộ lọc, nguồn và thời điểm số liệu.", "en": "A {w}×{h} pixel image with the title, filters, source and as-of date."},
    "dl_svg_help": {"vi": "Ảnh véc-tơ, phóng to không vỡ nét, chữ vẫn sửa được.", "en": "A vector image: sharp at any size, text stays editable."},
    "dl_html_help": {"vi": "Biểu đồ tương tác, mở được cả khi không có mạng.", "en": "An interactive chart that opens even without internet."},
    "dl_no_browser": {"vi": "Máy chủ chưa có trình duyệt Chromium nên chưa tải được ảnh PNG/SVG. Bạn vẫn tải được bản HTML, hoặc bấm nút máy ảnh ở góc biểu đồ để lưu ảnh PNG.", "en": "Image download (PNG/SVG) needs the Chromium browser on the server, which is missing. You can still download the HTML version, or use the camera button on the chart to save a PNG."},
    "dl_pack_pptx": {"vi": "Tải bộ báo cáo PowerPoint", "en": "Download briefing pack (PowerPoint)"},
    "dl_pack_pdf": {"vi": "Tải bộ báo cáo PDF", "en": "Download briefing pack (PDF)"},
    "dl_pack_help": {"vi": "Trang bìa, mỗi biểu đồ một trang kèm ghi chú, và danh sách nguồn.", "en": "A title page, one page per chart with notes, and the list of sources."},
    "dl_pack_no_browser": {"vi": "Máy chủ thiếu Chromium nên trong bộ báo cáo, ảnh biểu đồ được thay bằng một dòng thông báo; tiêu đề, ghi chú và nguồn vẫn đầy đủ.", "en": "The server has no Chromium, so the pack shows a short notice instead of each chart image; titles, notes and sources are all there."},
    "file_units": {"vi": "{n} tinh", "en": "{n} units"},
    "dl_pack_prefix": {"vi": "bao-cao-tom-tat", "en": "briefing-pack"},
    "map_no_data": {"vi": "Không có dữ liệu", "en": "No data"},
    "map_selected": {"vi": "Đã chọn", "en": "Selected"},
    "map_derived": {"vi": "Giá trị tính gộp", "en": "Derived value"},
    "map_inset": {"vi": "Đồng bằng sông Hồng (phóng to)", "en": "Red River Delta (enlarged)"},
    "map_better": {"vi": "đậm hơn = tốt hơn", "en": "darker = better"},
    "map_value": {"vi": "giá trị", "en": "value"},
    "event_kind_agreement": {"vi": "Thỏa thuận hợp tác", "en": "Cooperation agreement"},
    "event_kind_review": {"vi": "Sơ kết / tổng kết", "en": "Review"},
    "event_kind_ioc_launch": {"vi": "Khai trương IOC", "en": "IOC launch"},
    "event_kind_launch": {"vi": "Khai trương hệ thống", "en": "System launch"},
    "event_kind_merger": {"vi": "Sáp nhập 2025", "en": "2025 merger"},
    "event_kind_policy": {"vi": "Văn bản chính sách", "en": "Policy document"},
    "reason_not_combinable": {"vi": "chỉ tiêu loại này không cộng gộp", "en": "this kind of indicator is never combined"},
    "reason_missing_predecessor": {"vi": "thiếu số liệu của {m}", "en": "no value for {m}"},
    "reason_no_weight": {"vi": "thiếu trọng số", "en": "weight not known for every predecessor"},
    "reason_qualified_value": {"vi": "có giá trị ước (>, <)", "en": "an input is not exact (>, <)"},
    "reason_out_of_bounds": {"vi": "kết quả sẽ nằm ngoài giới hạn của chỉ tiêu",
                             "en": "the result would fall outside the indicator's bounds"},
    "col_date": {"vi": "Ngày", "en": "Date"},
    "col_event": {"vi": "Sự kiện", "en": "Event"},
    "col_number": {"vi": "Số", "en": "No."},
    "col_predecessor": {"vi": "Trước sáp nhập", "en": "Before the merger"},
    "event_of_predecessor": {"vi": "sự kiện của tỉnh cũ, nay thuộc {unit}", "en": "event of a former province, now part of {unit}"},
    "timeline_numbers_note": {"vi": "Số trên mỗi mốc sự kiện là số thứ tự trong bảng sự kiện bên dưới.",
                              "en": "The number on each milestone is its row in the events table below."},
    "col_quote": {"vi": "Trích dẫn", "en": "Quote"},
    "col_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "col_value": {"vi": "Giá trị", "en": "Value"},
    "col_numeric_value": {"vi": "Giá trị số", "en": "Numeric value"},
    "col_unit_of_measure": {"vi": "Đơn vị đo", "en": "Unit of measure"},
    "col_as_of": {"vi": "Thời điểm", "en": "As of"},
    "col_derived": {"vi": "Tính gộp", "en": "Derived"},
    "col_source": {"vi": "Nguồn", "en": "Source"},
    "col_publisher": {"vi": "Nhà xuất bản", "en": "Publisher"},
    "col_link": {"vi": "Liên kết", "en": "Link"},
    "col_confidence": {"vi": "Độ tin cậy", "en": "Confidence"},
    "cite_publisher_not_named": {"vi": "Không ghi rõ đơn vị đăng", "en": "Publisher not named"},
    "cite_article_on": {"vi": "Bài viết trên {site}", "en": "Article on {site}"},
    "cite_article": {"vi": "Bài viết", "en": "Article"},
    "cite_by": {"vi": "tác giả {author}", "en": "by {author}"},
    "cite_undated": {"vi": "không rõ ngày", "en": "undated"},
    "cite_more": {"vi": "và {n} nguồn khác", "en": "and {n} more"},
    "lang_name_vi": {"vi": "Tiếng Việt", "en": "Vietnamese"},
    "lang_name_en": {"vi": "Tiếng Anh", "en": "English"},
    "confidence_high": {"vi": "cao", "en": "high"},
    "confidence_medium": {"vi": "trung bình (bản sao, đã đối chiếu khi có thể)",
                          "en": "medium (a copy, checked where possible)"},
    "uncertain_legend": {"vi": "độ tin cậy thấp hoặc trung bình", "en": "low or medium confidence"},
    "confidence_low": {"vi": "thấp", "en": "low"},
    "sheet_data": {"vi": "Dữ liệu", "en": "Data"},
    "sheet_sources": {"vi": "Nguồn", "en": "Sources"},
    "col_date_published": {"vi": "Ngày đăng", "en": "Published"},
    "src_col_publisher": {"vi": "Nhà xuất bản", "en": "Publisher"},
    "src_col_title": {"vi": "Tiêu đề hoặc mô tả", "en": "Headline or description"},
    "src_col_author": {"vi": "Tác giả", "en": "Author"},
    "src_col_published": {"vi": "Ngày đăng", "en": "Published"},
    "src_col_language": {"vi": "Ngôn ngữ", "en": "Language"},
    "src_col_confidence": {"vi": "Độ tin cậy", "en": "Confidence"},
    # --- Province profile (pages/ho-so-tinh.py, lib/views/profile.py) ---
    "page_profile": {"vi": "Hồ sơ tỉnh", "en": "Province profile"},
    "profile_pick": {"vi": "Tỉnh, thành phố", "en": "Province"},
    "profile_search": {"vi": "Tìm (không dấu, tên cũ)", "en": "Find (no diacritics needed, former names)"},
    "profile_region": {"vi": "Vùng: {region}", "en": "Region: {region}"},
    "profile_headline": {"vi": "Vị trí", "en": "Standing"},
    "profile_value": {"vi": "Giá trị {year}", "en": "Value {year}"},
    "profile_position": {"vi": "Vị trí theo giá trị", "en": "Position by value"},
    "profile_published_rank": {"vi": "Hạng công bố", "en": "Published rank"},
    "profile_position_help": {
        "vi": "«Vị trí theo giá trị» do bảng điều khiển tính từ giá trị của mọi đơn vị có số liệu năm đó ({pos}/{n}: {better} "
              "đơn vị có giá trị tốt hơn). «Hạng công bố» là hạng do Bộ in trong bảng xếp hạng; khi Bộ không in thì ghi "
              "«không công bố».",
        "en": "«Position by value» is computed by the dashboard from the values of every unit with data that year "
              "({pos}/{n}: {better} units have a better value). «Published rank» is the rank the ministry printed; where it "
              "printed none it says «not published»."},
    "profile_shared": {"vi": "đồng hạng", "en": "shared"},
    "profile_pos": {"vi": "xếp {ord}/{n} theo giá trị", "en": "{ord} of {n} by value"},
    "profile_pos_shared": {"vi": "đồng hạng {ord}/{n} theo giá trị", "en": "shared {ord} of {n} by value"},
    "profile_up": {"vi": "tăng {diff} so với {year}", "en": "up {diff} since {year}"},
    "profile_down": {"vi": "giảm {diff} so với {year}", "en": "down {diff} since {year}"},
    "profile_same": {"vi": "không đổi so với {year}", "en": "unchanged since {year}"},
    "profile_up_largest": {"vi": ", mức tăng lớn nhất", "en": ", the largest rise"},
    "profile_down_largest": {"vi": ", mức giảm lớn nhất", "en": ", the largest fall"},
    "profile_up_nth": {"vi": ", mức tăng lớn {ord}", "en": ", the {ord} largest rise"},
    "profile_down_nth": {"vi": ", mức giảm lớn {ord}", "en": ", the {ord} largest fall"},
    "profile_single_year": {"vi": "Chỉ có số liệu năm {year} trên cơ sở {n} đơn vị, chưa so sánh được với năm trước.",
                            "en": "Only {year} is available on the basis of {n} units: no earlier year to compare."},
    "profile_since_first": {"vi": "Từ {year} đến nay: từ vị trí {p0}/{n0} đến {p1}/{n1} theo giá trị.",
                            "en": "Since {year}: from position {p0}/{n0} to {p1}/{n1} by value."},
    "profile_published": {"vi": "Hạng công bố năm {year}: {r}/{n}.", "en": "Published rank {year}: {r}/{n}."},
    "profile_not_published": {"vi": "Năm {year} Bộ không công bố hạng của đơn vị này; vị trí trên do bảng điều "
                                    "khiển tính từ giá trị.",
                              "en": "For {year} the ministry printed no rank for this unit; the position above is "
                                    "computed from the values."},
    "profile_vs": {"vi": "so với {year}", "en": "since {year}"},
    "profile_places": {"vi": "{n} bậc so với {year}", "en": "{n} places since {year}"},
    "profile_summary": {"vi": "Tóm tắt", "en": "In brief"},
    "profile_subindices": {"vi": "Chỉ số thành phần năm {year}", "en": "Sub-indices {year}"},
    "profile_strongest": {"vi": "Mạnh nhất (so với trung vị cả nước): {names}.",
                          "en": "Strongest (against the median of all units): {names}."},
    "profile_weakest": {"vi": "Yếu nhất (so với trung vị cả nước): {names}.",
                        "en": "Weakest (against the median of all units): {names}."},
    "profile_others": {"vi": "Các chỉ tiêu khác", "en": "Other indicators"},
    "profile_facts": {"vi": "Quy mô đơn vị", "en": "Size of the unit"},
    "profile_preds": {"vi": "Các tỉnh trước sáp nhập (giá trị riêng, cơ sở 63 tỉnh)",
                      "en": "The provinces before the merger (their own values, 63-province basis)"},
    "profile_predecessor": {"vi": "tỉnh cũ", "en": "former province"},
    "profile_events": {"vi": "Mốc và thỏa thuận", "en": "Milestones and agreements"},
    "profile_no_headline": {"vi": "Đơn vị này chưa có giá trị {ind} trong giai đoạn đã chọn.",
                            "en": "This unit has no {ind} value in the chosen period."},
    "profile_brief": {"vi": "Bản tóm tắt để in", "en": "A brief to print"},
    "profile_brief_pdf": {"vi": "Tải bản tóm tắt (PDF, A4)", "en": "Download the brief (PDF, A4)"},
    "profile_brief_pptx": {"vi": "Tải bản tóm tắt (PowerPoint)", "en": "Download the brief (PowerPoint)"},
    "profile_brief_help": {"vi": "Một trang A4 dọc (tối đa 2 trang): các con số, câu tóm tắt, biểu đồ vị trí và "
                                 "nguồn.",
                           "en": "One A4 portrait page (two at most): the figures, the sentences, the position chart "
                                 "and the sources."},
    "profile_ranking_title": {"vi": "{ind} {year}: {name} và các đơn vị lân cận",
                              "en": "{ind} {year}: {name} and its neighbours"},
    "profile_cards_moved": {"vi": "Giá trị mới nhất của từng chỉ tiêu cho mỗi tỉnh nằm ở trang «Hồ sơ tỉnh».",
                            "en": "Each province's latest value of every indicator is on the «Province profile» page."},
    # One sentence per chart in the briefing packs: what it shows.
    "msg_overview-ranking": {"vi": "Mọi đơn vị có số liệu ({n}) xếp theo giá trị; số trước tên là vị trí theo giá trị, "
                                   "đường đứt nét là trung vị.",
                             "en": "Every unit with data ({n}) by value; the number before a name is its position by "
                                   "value, the dashed line the median."},
    "msg_overview-map": {"vi": "Giá trị của {n} đơn vị trên bản đồ; vùng gạch chéo là không có số liệu.",
                         "en": "The values of {n} units on the map; hatched areas have no data."},
    "msg_overview-movement": {"vi": "Mỗi chấm xám là một đơn vị, mỗi đường là một đơn vị đã chọn, đường đứt nét là "
                                    "trung vị của mỗi năm.",
                              "en": "Each grey dot is a unit, each line a selected unit, the dashed line the median "
                                    "of each year."},
    "msg_compare-bars": {"vi": "Giá trị của các đơn vị đã chọn theo năm, {period}; năm không có số liệu để trống.",
                         "en": "The selected units' values by year, {period}; a year without data is left empty."},
    "msg_compare-heatmap": {"vi": "Mỗi ô: vị trí của đơn vị giữa mọi đơn vị có số liệu cùng năm (0 thấp nhất, 1 cao "
                                  "nhất).",
                            "en": "Each cell: the unit's place among all units with data that year (0 lowest, 1 "
                                  "highest)."},
    "msg_compare-radar": {"vi": "Các chỉ tiêu của đơn vị đã chọn trên cùng thang 0–1 (so với mọi đơn vị).",
                          "en": "The selected units' indicators on one 0–1 scale (against all units)."},
    "msg_compare-subindices": {"vi": "Chỉ số thành phần của đơn vị đã chọn; vạch đen là trung vị của mọi đơn vị.",
                               "en": "The selected units' sub-indices; the black mark is the median of all units."},
    "msg_compare-scatter": {"vi": "Mỗi chấm là một đơn vị có cả hai giá trị ({n}); đơn vị đã chọn có tên.",
                            "en": "Each dot is a unit with both values ({n}); the selected units are named."},
    "msg_timeline-lines": {"vi": "Giá trị theo thời gian, {period}, và các mốc ở hàng dưới.",
                           "en": "The values over time, {period}, with the milestones below."},
    "msg_timeline-gantt": {"vi": "Thời hạn của các thỏa thuận hợp tác, {period}.",
                           "en": "The periods of the cooperation agreements, {period}."},
    "export_numbers": {"vi": "số liệu", "en": "the numbers"},
    "export_part": {"vi": "phần {i}/{n}", "en": "part {i} of {n}"},
    "col_subindex": {"vi": "Chỉ số thành phần", "en": "Sub-index"},
    "col_median_all": {"vi": "Trung vị cả nước ({n})", "en": "Median of all ({n})"},
    "col_median_region": {"vi": "Trung vị vùng ({n})", "en": "Median of region ({n})"},
    "col_position": {"vi": "Vị trí theo giá trị", "en": "Position by value"},
    "col_year": {"vi": "Năm", "en": "Year"},
    "col_position_year": {"vi": "Vị trí theo giá trị {year}", "en": "Position by value {year}"},
    "median_line": {"vi": "Trung vị", "en": "Median"},
    "copy_link": {"vi": "Sao chép liên kết", "en": "Copy link"},
    "copy_link_done": {"vi": "Đã sao chép.", "en": "Copied."},
    "copy_link_manual": {"vi": "Trình duyệt không cho sao chép: hãy chọn và sao chép liên kết này.",
                         "en": "The browser refused the clipboard: select and copy this link."},
}


def t(key: str, lang: str, **params: Any) -> str:
    """The UI string `key` in `lang` (falls back to Vietnamese), with {named} parameters filled in."""
    entry = STRINGS[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return text.format(**params) if params else text


# --- Formats --------------------------------------------------------------------------------------


def fmt_number(value: float | None, decimals: int = 0, lang: str = DEFAULT_LANG, *, trim: bool = False) -> str:
    """1529 -> '1.529' (vi) / '1,529' (en); 30.5 -> '30,5' / '30.5'. Missing stays visibly missing.

    With `trim`, trailing zeros go (30 -> '30', not '30,0'): a value is shown as precisely as its
    source states it, never with invented precision.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "—"
    text = f"{value:,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "vi":
        text = text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")
    return text


def fmt_value(value: float | None, kind: str, decimals: int, unit: str, lang: str,
              qualifier: str | None = None) -> str:
    """A value with its unit as a reader expects it: '30,5 %', '213 điểm cầu', '0,567', 'Có'.

    Up to max(decimals, 2) decimals, trailing zeros trimmed; an index shows no unit (it is in the title)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "milestone":
        return t("yes" if value else "no", lang)
    num = fmt_number(value, max(decimals, 2), lang, trim=True)
    prefix = f"{qualifier} " if qualifier else ""
    if kind == "percent":
        return f"{prefix}{num} %"
    if kind in ("rank", "index"):
        return f"{prefix}{num}"
    return f"{prefix}{num} {unit}".strip()


def fmt_date(value: Any, precision: str = "day", lang: str = DEFAULT_LANG) -> str:
    """Vietnamese: 24/09/2020, 09/2020, 2020. English: 24 Sep 2020, Sep 2020, 2020."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    ts = pd.Timestamp(value)
    if precision == "year":
        return f"{ts.year}"
    month = (["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][ts.month - 1])
    if precision == "month":
        return f"{month} {ts.year}" if lang == "en" else f"{ts.month:02d}/{ts.year}"
    return f"{ts.day} {month} {ts.year}" if lang == "en" else f"{ts.day:02d}/{ts.month:02d}/{ts.year}"


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
# The common Vietnamese period labels of the dataset, each with its English form (period_label).
_PERIOD_RULES: list[tuple[re.Pattern, Any]] = [
    (re.compile(r"quý\s+(I{1,3}|IV)\s*/\s*(\d{4})", re.I), lambda m: f"Q{_ROMAN[m[1].upper()]} {m[2]}"),
    (re.compile(r"quý\s+([1-4])\s*/\s*(\d{4})", re.I), lambda m: f"Q{m[1]} {m[2]}"),
    (re.compile(r"(\d{1,2})\s+tháng\s+đầu\s+năm\s+(\d{4})", re.I), lambda m: f"first {m[1]} months of {m[2]}"),
    (re.compile(r"(\d{1,2})\s+tháng\s+cuối\s+năm\s+(\d{4})", re.I), lambda m: f"last {m[1]} months of {m[2]}"),
    (re.compile(r"tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", re.I),
     lambda m: f"{_MONTHS_EN[int(m[1]) - 1]} {m[2]}" if 1 <= int(m[1]) <= 12 else m[0]),
    (re.compile(r"cả\s+năm\s+(\d{4})", re.I), lambda m: f"full year {m[1]}"),
    (re.compile(r"năm\s+(\d{4})", re.I), lambda m: m[1]),
    (re.compile(r"\(\s*họp\s*\)", re.I), lambda m: "(meeting)"),
    (re.compile(r"\(\s*ước(?: tính)?\s*\)", re.I), lambda m: "(estimate)"),
]


def period_label(text: str, lang: str) -> str:
    """A dataset period label in `lang`. The labels are written in Vietnamese ("9 tháng đầu năm 2024",
    "Quý I/2026 (họp)"); in English the common forms are translated by rule ("first 9 months of 2024",
    "Q1 2026 (meeting)"); names that are the same in both ("DTI 2022") pass unchanged."""
    if lang == "vi" or not text:
        return text
    for pattern, english in _PERIOD_RULES:
        text = pattern.sub(english, text)
    return text


def strip_marks(text: str) -> str:
    """Text without Vietnamese diacritics, case kept: 'Quảng Trị' -> 'Quang Tri' (đ/Đ -> d/D). The one
    folding of the code base: search (fold), file names and unit codes (slug)."""
    text = str(text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lower-case text without diacritics, for searching: 'Quảng Trị' -> 'quang tri'."""
    return strip_marks(text).lower()


def slug(text: str) -> str:
    """ASCII words in lower case joined by '-': 'Bà Rịa - Vũng Tàu' -> 'ba-ria-vung-tau' (unit codes, file
    names); '_' is kept, since it separates the parts of a file name."""
    text = strip_marks(text).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9_]+", "-", text)
    return re.sub(r"-*_[-_]*", "_", text).strip("-_")
