"""`python -m lib.validate FILE` for many files at the cost of one interpreter start-up.

    python -m tests.bad_datasets.forkrun JOBS.json RESULTS.json

JOBS.json is a list of `[path, env]`; RESULTS.json gets, in the same order, `[exit status, stdout, stderr,
seconds]`. This process imports what the validator imports (pandas, pydantic, PyYAML: about 1 s of CPU each
time), then forks one child per file, two at a time: the child runs the module `lib.validate` as `__main__`
with `argv` = [FILE] and the file's environment, exactly as `python -m lib.validate FILE` would, in a process
of its own. So a file that crashes the interpreter (a segfault: exit status -11) or hangs only takes its own
child down, as with a fresh `python -m`; an uncaught exception prints its traceback and exits 1, as Python does.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import tempfile
import time
import traceback

import lib.data  # noqa: F401  the validator's imports, once (not lib.validate itself: runpy runs it fresh)

PARALLEL = 2  # one child per core


def _child(path: str, env: dict[str, str], out: int, err: int) -> None:
    os.dup2(out, 1)
    os.dup2(err, 2)
    os.environ.update(env)
    sys.argv = [os.path.join(os.getcwd(), "lib", "validate.py"), path]
    code = 0
    try:
        runpy.run_module("lib.validate", run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 - what the interpreter does with an uncaught exception
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_all(jobs: list[tuple[str, dict[str, str]]]) -> list[tuple[int, str, str, float]]:
    results: list = [None] * len(jobs)
    running: dict[int, tuple[int, float, object, object]] = {}
    todo = list(enumerate(jobs))
    with tempfile.TemporaryDirectory(prefix="forkrun-") as tmp:
        while todo or running:
            while todo and len(running) < PARALLEL:
                i, (path, env) = todo.pop(0)
                out = open(os.path.join(tmp, f"{i}.out"), "w+b")  # noqa: SIM115 - closed when reaped
                err = open(os.path.join(tmp, f"{i}.err"), "w+b")  # noqa: SIM115
                sys.stdout.flush()
                sys.stderr.flush()
                start = time.perf_counter()
                pid = os.fork()
                if pid == 0:
                    _child(path, env, out.fileno(), err.fileno())
                running[pid] = (i, start, out, err)
            pid, status = os.wait()
            i, start, out, err = running.pop(pid)
            seconds = time.perf_counter() - start
            texts = []
            for f in (out, err):
                f.seek(0)
                texts.append(f.read().decode("utf-8", errors="replace"))
                f.close()
            results[i] = (os.waitstatus_to_exitcode(status), texts[0], texts[1], seconds)
    return results


def main(argv: list[str]) -> int:
    jobs_file, results_file = argv
    with open(jobs_file, encoding="utf-8") as f:
        jobs = json.load(f)
    results = run_all([(path, env) for path, env in jobs])
    with open(results_file, "w", encoding="utf-8") as f:
        json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
