"""What the app keeps per dataset is never handed to another dataset, even when Python reuses an address.

After a curator edits the file, the app builds new frames; the old ones are freed, and CPython may give the
new frames the very address (`id`) the old ones had. A cache keyed by `id(frames)` would then replay the old
dataset's observations: the edited value would not show. `monkeypatch` makes every `id()` in lib.ui equal,
which is exactly that reuse, made certain.
"""

from __future__ import annotations

import dataclasses

import pytest

from lib import ui
from lib.data import load_frames
from lib.export.spec import ChartSpec


def endpoints_of(frames, boundaries: str) -> list[float]:
    obs, _ = ui.get_boundary_observations(frames, boundaries)
    return sorted(obs.loc[(obs.unit == "old-a") & (obs.indicator == "vc_endpoints"), "value"].tolist())


@pytest.mark.parametrize("boundaries", ["63", "34"])
def test_an_edited_dataset_never_gets_the_old_ones_observations(dataset, write_yaml, monkeypatch, boundaries):
    monkeypatch.setattr(ui, "id", lambda obj: 140_000_000, raising=False)  # every object at one address
    before = load_frames(write_yaml(dataset, "before.yaml"))
    if boundaries == "63":
        assert endpoints_of(before, "63") == [213]
    else:
        obs, _ = ui.get_boundary_observations(before, "34")
        assert obs.loc[obs.unit == "new-ab", "value"].tolist()  # new-ab's derived values, computed and kept
    dataset["observations"][0]["value"] = 999  # the curator corrects old-a's endpoints: 213 -> 999
    after = load_frames(write_yaml(dataset, "after.yaml"))
    assert endpoints_of(after, "63") == [999]
    derived, _ = ui.get_boundary_observations(after, "34")
    assert derived.loc[(derived.unit == "new-ab") & (derived.indicator == "vc_endpoints"), "value"].tolist() == \
        [999 + 100]  # the sum of the new values, not the old 313


def test_the_same_dataset_computes_its_observations_once(dataset, write_yaml):
    frames = load_frames(write_yaml(dataset))
    assert ui.get_boundary_observations(frames, "34") is ui.get_boundary_observations(frames, "34")
    assert ui.get_boundary_observations(frames, "63") is not ui.get_boundary_observations(frames, "34")


def test_a_chart_spec_cannot_be_changed_in_place():
    """A ChartSpec is shared by every session that replays it (lib.ui.computed): one session's change would
    show in another's download. It is frozen; a changed copy is made with dataclasses.replace."""
    fields = {f.name: None for f in dataclasses.fields(ChartSpec) if f.default is dataclasses.MISSING
              and f.default_factory is dataclasses.MISSING}
    spec = ChartSpec(**{**fields, "key": "overview-ranking"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.key = "other"
    assert dataclasses.replace(spec, key="other").key == "other" and spec.key == "overview-ranking"


def test_the_dataset_is_the_one_the_command_line_or_the_environment_names(monkeypatch, tmp_path):
    """`streamlit run app.py -- --data FILE` wins over $PROVINCES_DATA, which wins over the shipped file; the
    `--data` argument is parsed once per command line, and a different command line is read afresh."""
    chosen, env = tmp_path / "chosen.yaml", tmp_path / "env.yaml"
    monkeypatch.setenv("PROVINCES_DATA", str(env))
    monkeypatch.setattr("sys.argv", ["app.py", "--server.port", "1", "--data", str(chosen)])
    assert ui.dataset_path() == chosen
    monkeypatch.setattr("sys.argv", ["app.py"])
    assert ui.dataset_path() == env
    monkeypatch.delenv("PROVINCES_DATA")
    assert ui.dataset_path().name == "provinces.yaml" and ui.dataset_path().parent.name == "data"
