"""Start the dashboard: `python -m lib.serve [streamlit options] [-- app options]` (what `./dev start` runs).

`streamlit run app.py …` works the same (the settings are in .streamlit/config.toml, which both read). This
launcher adds the one thing no setting can: it tells Streamlit before the first session opens that app.py
navigates with `st.navigation` (lib.navigation.leave_legacy_pages_mode). Started plainly, Streamlit wraps the
first run of the process in its legacy `pages/` navigation, which answers a shared deep link (/so-sanh?…)
before app.py runs: that very first visitor sees a "Page not found" box over the right page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.web import cli

from lib.navigation import leave_legacy_pages_mode

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def main(argv: list[str]) -> None:
    leave_legacy_pages_mode()
    sys.argv = ["streamlit", "run", APP, *argv]
    sys.exit(cli.main())


if __name__ == "__main__":
    main(sys.argv[1:])
