"""Run `streamlit run SCRIPT` in this process (so its PID is the server's), for the benchmark.

    python bench/serve.py SCRIPT PORT

Flags match ./dev start (lib/serve.py), including st.navigation from the first session on.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streamlit.web import cli  # noqa: E402

from lib.navigation import leave_legacy_pages_mode  # noqa: E402

leave_legacy_pages_mode()  # as lib/serve.py does

script, port = sys.argv[1], sys.argv[2]
sys.argv = ["streamlit", "run", script, "--server.headless", "true", "--server.address", "127.0.0.1",
            "--server.port", port, "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
sys.exit(cli.main())
