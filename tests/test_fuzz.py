"""Random mutations of the real dataset's text (hypothesis): whatever the file becomes, loading it ends
either in valid frames or in a DatasetError whose every problem names the file and says what is wrong
(with a line wherever it names a field) — never in another exception, never slowly.

Bounded for the test suite (80 examples, a fixed seed, about 10 s). A longer, random run:
    FUZZ_PROFILE=explore ./dev test tests/test_fuzz.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.data import DEFAULT_PATH, DatasetError, Problem, load_frames

settings.register_profile("ci", max_examples=80, deadline=3000, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=2000, deadline=3000, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("FUZZ_PROFILE", "ci")

TEXT = DEFAULT_PATH.read_text(encoding="utf-8")
LINES = TEXT.split("\n")

# Scalars a careless or hostile edit could leave behind.
PAYLOADS = [
    ".nan", ".inf", "-.inf", '"NaN"', "1e400", "1.0e+400", "true", "false", "yes", "~", "null", "''", "'   '",
    '"30.5"', "017", "0x1F", "1:30", "1_000", "99999999999999999999", "-1", "0", "100.0001", "2022",
    "'2020-02-30'", "'1900'", "'2099'", "'٢٠٢٠'", "'２０２２'", "HTTPS://example.org", "javascript:alert(1)",
    "[", "]", "{", "}", "[a, b]", "{a: 1}", "&x", "*x", "&x [a, *x]", "!!python/object/apply:os.system [id]",
    "!!binary aGk=", "!foo bar", "!!str 5", "<<", "? [a]", "- x", "---", "...", "#", "'", '"', "\t", "%YAML 1.1",
    "=HYPERLINK(\"http://x\")", "<script>alert(1)</script>", "[x](https://evil.example)", "\u202e", "\x00",
]

edit = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("duplicate"), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("swap"), st.integers(0, len(LINES) - 1), st.integers(0, len(LINES) - 1)),
    st.tuples(st.just("scalar"), st.integers(0, len(LINES) - 1), st.integers(0, 20), st.sampled_from(PAYLOADS)),
    st.tuples(st.just("insert"), st.integers(0, len(LINES) - 1), st.integers(0, 200), st.sampled_from(PAYLOADS)),
    st.tuples(st.just("indent"), st.integers(0, len(LINES) - 1), st.integers(-4, 4)),
    st.tuples(st.just("truncate"), st.integers(0, len(TEXT))),
)


def mutate(edits: list[tuple]) -> str:
    lines = list(LINES)
    for e in edits:
        op, i = e[0], e[1] % max(len(lines), 1) if lines else 0
        if not lines and op != "truncate":
            continue
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = e[2] % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "scalar":  # replace the n-th value after a ": " on that line
            parts = lines[i].split(": ")
            if len(parts) > 1:
                k = 1 + e[2] % (len(parts) - 1)
                rest = parts[k]
                cut = min((rest.find(c) for c in ",}" if c in rest), default=len(rest))
                parts[k] = e[3] + rest[cut:]
                lines[i] = ": ".join(parts)
        elif op == "insert":
            pos = e[2] % (len(lines[i]) + 1)
            lines[i] = lines[i][:pos] + e[3] + lines[i][pos:]
        elif op == "indent":
            lines[i] = (" " * e[2] + lines[i]) if e[2] >= 0 else lines[i][-e[2]:]
        elif op == "truncate":
            return "\n".join(lines)[: e[1]]
    return "\n".join(lines)


def check_outcome(path, text: str) -> None:
    try:
        frames = load_frames(path)
    except DatasetError as exc:
        assert exc.problems and exc.total >= len(exc.problems) - 1
        n_lines = text.count("\n") + 1
        for p in exc.problems:
            assert isinstance(p, Problem) and p.file == str(path)
            assert isinstance(p.message, str) and p.message.strip()
            assert p.line is None or 1 <= p.line <= n_lines + 1, p
            if p.field:
                assert p.line is not None, p
            str(p)  # printable
    else:
        assert len(frames.units) > 0 and len(frames.indicators) > 0


@settings(settings.get_profile(PROFILE))
@given(st.lists(edit, min_size=1, max_size=4))
def test_mutated_dataset_is_valid_or_refused_with_located_problems(tmp_path_factory, edits):
    text = mutate(edits)
    path = tmp_path_factory.mktemp("fuzz") / "provinces.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    check_outcome(path, text)
