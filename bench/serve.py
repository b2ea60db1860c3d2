"""Run `streamlit run SCRIPT` in this process (so its PID is the server's), for the benchmark.

    python bench/serve.py SCRIPT PORT

Flags match ./dev start. If $BENCH_NODE_LIMIT is set, lib.data.MAX_EXPANDED_NODES is raised in this
process only (the shipped limit refuses commune-scale files; see bench/load_bench.py), and the
benchmark reports it.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

if os.environ.get("BENCH_NODE_LIMIT"):
    import lib.data

    lib.data.MAX_EXPANDED_NODES = int(os.environ["BENCH_NODE_LIMIT"])

from streamlit.web import cli  # noqa: E402

script, port = sys.argv[1], sys.argv[2]
sys.argv = ["streamlit", "run", script, "--server.headless", "true", "--server.address", "127.0.0.1",
            "--server.port", port, "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer"]
sys.exit(cli.main())
