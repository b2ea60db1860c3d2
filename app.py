"""Entry point: page config, navigation over pages/, the shared sidebar (language, boundaries, provinces,
period, indicator). A broken dataset shows its errors here, never a traceback."""

import streamlit as st

from lib.blocks import copy_link
from lib.i18n import t
from lib.navigation import navigate
from lib.serve import refuse_cache_clearing
from lib.throttle import collect_when_idle, give_way, slot, turn
from lib.ui import get_frames, lang_now, page_script, session_lang, show_problems, sidebar

# The icon is an emoji: a ":material/…:" page icon makes the browser fetch Google's font server, which an
# offline intranet cannot reach.
st.set_page_config(page_title="Chính quyền số cấp tỉnh", page_icon="🏛️", layout="wide")
refuse_cache_clearing()  # a visitor's "clear cache" message does nothing, however the server was started
collect_when_idle()  # Python's full garbage collection when no run is drawn, not in a leader's click (lib/throttle.py)


def main() -> None:
    give_way()  # a checkpoint (lib/throttle.py): so are every view computation, chart and page start
    # A new dataset is read and checked once, by the first session that needs it; every other session waits for
    # that result (st.cache_resource) and sees this message meanwhile (shown only after half a second).
    with st.spinner(t("loading_data", lang_now())):
        frames, problems = get_frames()
    if frames is None:
        lang = lang_now()
        st.title(t("app_title", lang))
        show_problems(problems, lang)
        st.stop()

    with slot():  # one run drawn at a time in this process, polite ones first (lib/throttle.py: Slots)
        draw(frames)


def draw(frames) -> None:
    # Navigation before any element: under a plain `streamlit run app.py` the first run of the process is wrapped
    # in Streamlit's legacy pages/ mode, and only what is drawn after st.navigation keeps its ids in later runs.
    page = navigate(session_lang(frames))
    state = sidebar(frames)
    lang = state.lang
    page_script(lang, page.url_path)  # the document's language; on a phone, close the sidebar after a pick
    copy_link(lang)
    give_way()
    page.run()


# A client over its share of script runs waits here, before any work, and while it stays over it its run gives
# way to the other clients' runs at each view and chart (lib/throttle.py); behind no proxy nothing waits.
with turn():
    main()
