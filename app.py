"""Entry point: page config, the shared sidebar (language, boundaries, provinces, period, indicator)
and navigation over pages/. A broken dataset shows its errors here, never a traceback."""

from pathlib import Path

import streamlit as st

from lib.i18n import t
from lib.navigation import PAGES
from lib.ui import get_frames, lang_now, page_script, show_problems, sidebar

HERE = Path(__file__).parent
# The icon is an emoji: a ":material/…:" page icon makes the browser fetch Google's font server, which an
# offline intranet cannot reach.
st.set_page_config(page_title="Chính quyền số cấp tỉnh", page_icon="🏛️", layout="wide")

# A new dataset is read and checked once, by the first session that needs it; every other session waits for
# that result (st.cache_resource) and sees this message meanwhile (shown only after half a second).
with st.spinner(t("loading_data", lang_now())):
    frames, problems = get_frames()
if frames is None:
    lang = lang_now()
    st.title(t("app_title", lang))
    show_problems(problems, lang)
    st.stop()

state = sidebar(frames)
lang = state.lang
pages = [st.Page(str(HERE / p.file), title=t(p.title_key, lang), icon=p.icon, url_path=p.url_path, default=p.default)
         for p in PAGES]
page = st.navigation(pages, position="top")
page_script(lang, page.url_path)  # the document's language; on a phone, close the sidebar after a pick
page.run()
