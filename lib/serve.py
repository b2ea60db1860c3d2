"""Start the dashboard: `python -m lib.serve [streamlit options] [-- app options]` (what `./dev start` runs).

Same as `streamlit run app.py …`, with one difference: Streamlit treats a folder named `pages/` beside
the entry script as its legacy multipage folder until the first `st.navigation` call in the process,
so the very first visitor who opens a shared deep link (/so-sanh?…) would meet a "Page not found"
box. app.py navigates with `st.navigation`, so we tell Streamlit that up front.
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
