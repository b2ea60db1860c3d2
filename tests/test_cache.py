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
