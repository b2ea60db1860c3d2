"""The compiled copy of the frames (lib/data/cache.py): used only for the very bytes and loader it was made
from, never when it is damaged, never for a file that fails validation, and never needed to load."""

from __future__ import annotations

import pandas as pd
import pytest

from lib.data import DEFAULT_PATH, DatasetError, load_frames
from lib.data import cache as K

RAW = DEFAULT_PATH.read_bytes()


def cached(*args, **kwargs):
    """load_frames_cached, then wait for its copy to be written (the app does not wait)."""
    try:
        return K.load_frames_cached(*args, **kwargs)
    finally:
        K.flush()
TABLES = ["units", "indicators", "observations", "events", "sources", "regions"]


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(K.ENV_CACHE_DIR, str(tmp_path / "cache"))
    yield tmp_path / "cache"
    K.flush()


@pytest.fixture
def parses(monkeypatch):
    """Counts the YAML loads the cache could not spare."""
    calls = []

    def counting(*args, **kwargs):
        calls.append(args)
        return load_frames(*args, **kwargs)

    monkeypatch.setattr(K, "load_frames", counting)
    return calls


def test_a_hit_gives_exactly_the_frames_of_a_fresh_load_without_parsing(parses):
    first = cached(DEFAULT_PATH, raw=RAW)
    assert len(parses) == 1
    again = cached(DEFAULT_PATH, raw=RAW)
    assert len(parses) == 1  # the YAML was not read again
    fresh = load_frames(DEFAULT_PATH)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(again, name), getattr(fresh, name), check_exact=True)
    assert again.meta == fresh.meta and again.path == fresh.path
    assert again is not first


def test_other_bytes_of_the_same_size_are_loaded_from_the_yaml(parses, tmp_path):
    cached(DEFAULT_PATH, raw=RAW)
    edited = RAW.replace(b"value: 0.8241", b"value: 0.8242", 1)
    assert len(edited) == len(RAW) and edited != RAW
    path = tmp_path / "provinces.yaml"
    path.write_bytes(edited)
    frames = cached(path, raw=edited)
    assert len(parses) == 2
    assert 0.8242 in set(frames.observations["value"])  # the edited value, not the stored copy


def test_a_new_loader_version_rebuilds(parses, monkeypatch):
    cached(DEFAULT_PATH, raw=RAW)
    monkeypatch.setattr(K, "loader_version", lambda: "another-loader")
    cached(DEFAULT_PATH, raw=RAW)
    assert len(parses) == 2


@pytest.mark.parametrize("damage", ["truncated", "garbage", "flipped", "another key's copy"])
def test_a_damaged_copy_is_ignored_and_rebuilt(parses, own_cache, damage):
    key = K.cache_key(RAW)
    cached(DEFAULT_PATH, raw=RAW)
    copy = own_cache / f"{key}.frames"
    data = copy.read_bytes()
    if damage == "truncated":
        copy.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        copy.write_bytes(b"\x80\x05not a pickle at all" * 100)
    elif damage == "flipped":  # one bit in the middle: pickle would still load it, with one wrong number or name
        mid = len(data) // 2
        copy.write_bytes(data[:mid] + bytes([data[mid] ^ 0x01]) + data[mid + 1:])
    else:  # a valid copy of other frames, put under this key's name
        other = RAW.replace(b"value: 0.8241", b"value: 0.8242", 1)
        K.write(K.cache_key(other), load_frames(DEFAULT_PATH))
        copy.write_bytes((own_cache / f"{K.cache_key(other)}.frames").read_bytes())
    frames = cached(DEFAULT_PATH, raw=RAW)
    assert len(parses) == 2  # rebuilt from the YAML
    fresh = load_frames(DEFAULT_PATH)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(frames, name), getattr(fresh, name), check_exact=True)
    assert K.read(key) is not None  # and stored again, whole


def test_a_file_that_fails_validation_shows_its_problems_despite_an_old_copy(tmp_path):
    cached(DEFAULT_PATH, raw=RAW)
    broken = RAW.replace(b"value: 0.8241", b"value: [0.8241", 1)
    path = tmp_path / "provinces.yaml"
    path.write_bytes(broken)
    with pytest.raises(DatasetError):
        cached(path, raw=broken)
    assert K.read(K.cache_key(broken)) is None  # a broken file is never stored


def test_an_unwritable_cache_folder_still_loads(monkeypatch, tmp_path, parses):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(K.ENV_CACHE_DIR, str(blocker / "frames"))
    frames = cached(DEFAULT_PATH, raw=RAW)
    assert len(frames.units) > 60 and len(parses) == 1


# --- A copy someone else wrote (issue 24) ---------------------------------------------------------


class _Bomb:
    """What a forged pickle carries: code that runs when it is loaded (here: it writes a marker file)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("magic", [b"PROVINCES-FRAMES\n", None])
def test_a_forged_copy_with_a_recomputed_header_runs_no_code(parses, own_cache, tmp_path, magic):
    """A copy forged with a code-running payload (a pickle) and a header recomputed for it — in the old
    format and in the current one — runs nothing: the app loads the YAML and shows its numbers."""
    import hashlib
    import pickle

    marker = tmp_path / "code-ran"
    key = K.cache_key(RAW)
    own_cache.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(_Bomb(marker), protocol=5)
    head = (magic or K.MAGIC) + key.encode() + b"\n"
    (own_cache / f"{key}.frames").write_bytes(head + hashlib.sha256(payload).digest() + payload)
    frames = cached(DEFAULT_PATH, raw=RAW)
    assert not marker.exists(), "the forged copy ran code"
    assert len(parses) == 1  # loaded from the YAML
    pd.testing.assert_frame_equal(frames.observations, load_frames(DEFAULT_PATH).observations, check_exact=True)


def _forge_number(own_cache) -> None:
    """Rewrite the stored copy with one observation changed (0,1111), the header recomputed to match."""
    key = K.cache_key(RAW)
    frames = K.read(key)
    frames.observations.loc[frames.observations.index[0], "value"] = 0.1111
    path = own_cache / f"{key}.frames"
    mode = path.stat().st_mode
    path.unlink()
    assert K.write(key, frames)
    path.chmod(mode)


@pytest.mark.parametrize("who", ["world-writable folder", "group-writable folder", "folder of another user",
                                 "world-writable copy"])
def test_a_copy_others_could_write_is_never_read(parses, own_cache, monkeypatch, who):
    """A folder (or a copy) that another user can write, or that the server's user does not own, is not
    trusted: a copy forged there (here: a number changed, header recomputed) is not shown; the YAML is
    loaded, and nothing is written there either."""
    import os

    cached(DEFAULT_PATH, raw=RAW)
    _forge_number(own_cache)
    key = K.cache_key(RAW)
    copy = own_cache / f"{key}.frames"
    if who == "world-writable folder":
        own_cache.chmod(0o777)
    elif who == "group-writable folder":
        own_cache.chmod(0o770)
    elif who == "folder of another user":
        real = os.geteuid()
        monkeypatch.setattr(K.os, "geteuid", lambda: real + 1)
    else:
        copy.chmod(0o666)
    frames = cached(DEFAULT_PATH, raw=RAW)
    assert len(parses) == 2  # from the YAML, not the copy
    assert 0.1111 not in set(frames.observations["value"])
    copy.unlink()
    cached(DEFAULT_PATH, raw=RAW)
    if who == "world-writable copy":  # the folder is ours: a new, private copy replaces it
        assert copy.stat().st_mode & 0o077 == 0
    else:
        assert not copy.exists()  # no copy written into a folder others can write


def test_the_cache_folder_is_created_private(own_cache):
    cached(DEFAULT_PATH, raw=RAW)
    assert own_cache.stat().st_mode & 0o777 == 0o700
    (copy,) = own_cache.glob("*.frames")
    assert copy.stat().st_mode & 0o077 == 0
    assert copy.read_bytes().startswith(K.MAGIC)
