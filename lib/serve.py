"""Start the dashboard: `python -m lib.serve [streamlit options] [-- app options]` (what `./dev start` runs).

`streamlit run app.py …` works the same (the settings are in .streamlit/config.toml, which both read). This
launcher adds the one thing no setting can: it tells Streamlit before the first session opens that app.py
navigates with `st.navigation` (lib.navigation.leave_legacy_pages_mode). Started plainly, Streamlit wraps the
first run of the process in its legacy `pages/` navigation, which answers a shared deep link (/so-sanh?…)
before app.py runs: that very first visitor sees a "Page not found" box over the right page.

And one guard: Streamlit obeys a "clear cache" message from any browser (the developer menu's item, which
`client.toolbarMode = "viewer"` hides, but a script can still send it over the websocket), and that empties
the caches of every session on the process. Here, and in app.py (so `streamlit run app.py` has it too),
the message is ignored and logged.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from streamlit.runtime import app_session
from streamlit.web import cli

from lib.navigation import leave_legacy_pages_mode

APP = str(Path(__file__).resolve().parents[1] / "app.py")


_log = logging.getLogger(__name__)


def refuse_cache_clearing() -> None:
    """A visitor's "clear cache" message does nothing (the caches are the server's, shared by every session)."""
    def ignored(self: app_session.AppSession) -> None:
        _log.warning("a 'clear cache' request from a browser was ignored (session %s)", self.id)

    app_session.AppSession._handle_clear_cache_request = ignored


def main(argv: list[str]) -> None:
    leave_legacy_pages_mode()
    refuse_cache_clearing()
    sys.argv = ["streamlit", "run", APP, *argv]
    sys.exit(cli.main())


if __name__ == "__main__":
    main(sys.argv[1:])
