"""Entry point: page config, the shared sidebar (language, boundaries, provinces, period, indicator)
and navigation over pages/. A broken dataset shows its errors here, never a traceback."""

from pathlib import Path

import streamlit as st

from lib.i18n import t
from lib.ui import get_frames, lang_now, show_problems, sidebar

HERE = Path(__file__).parent
st.set_page_config(page_title="Chính quyền số cấp tỉnh", page_icon=":material/account_balance:", layout="wide")

frames, problems = get_frames()
if frames is None:
    lang = lang_now()
    st.title(t("app_title", lang))
    show_problems(problems, lang)
    st.stop()

state = sidebar(frames)
lang = state.lang
pages = [
    st.Page(str(HERE / "pages" / "overview.py"), title=t("page_overview", lang), icon=":material/dashboard:", url_path="tong-quan",
            default=True),
    st.Page(str(HERE / "pages" / "compare.py"), title=t("page_compare", lang), icon=":material/compare_arrows:", url_path="so-sanh"),
    st.Page(str(HERE / "pages" / "timeline.py"), title=t("page_timeline", lang), icon=":material/timeline:", url_path="dong-thoi-gian"),
    st.Page(str(HERE / "pages" / "sources.py"), title=t("page_sources", lang), icon=":material/menu_book:", url_path="nguon-du-lieu"),
]
st.navigation(pages, position="top").run()
