"""`--format parquet`: a Hub-ready dataset directory that `datasets.load_dataset` reads offline
as a user of the Hub would, with the same records as the JSONL export, split by split."""

import json
from pathlib import Path

import pytest

from store.db import open_db
from store.errors import StoreError
from store.hub_dataset import write_dataset

from .conftest import invoke


@pytest.fixture(autouse=True)
def _offline(tmp_path, monkeypatch):
    for var in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.setenv(var, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))


@pytest.fixture
def export_demo(demo_db):
    """`labeldesk export ARGS --db DB` as rhea, on the demo project."""
    db_path = demo_db

    def export(*args):
        return invoke("export", *args, "--db", db_path, env={"LABELDESK_LABELER": "rhea"})

    return export


def _load(path: Path):
    import datasets  # a test extra (pyproject.toml): read as a user of the Hub would

    return datasets.load_dataset(str(path))


def test_consensus_pairs_as_a_hub_dataset(export_demo, tmp_path):
    out = tmp_path / "rm"
    r = export_demo("pairs", "--consensus", "--format", "parquet", "--out", out)
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (out / "data").iterdir()) == [
        "train-00000-of-00001.parquet", "validation-00000-of-00001.parquet"]
    loaded = _load(out)
    assert set(loaded) == {"train", "validation"}
    for split in loaded:
        jsonl = [json.loads(line) for line in export_demo(
            "pairs", "--consensus", "--split", split, "--out", "-").output.splitlines()]
        assert loaded[split].to_list() == jsonl
    features = loaded["train"].features
    assert features["margin"].dtype == "float64" and features["n_labelers"].dtype == "int64"
    card = (out / "README.md").read_text()
    assert "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: data/train-*" in card
    for figure in ("num_examples: ", "| unversioned |", "pairwise_agreement 0.6810",
                   "Records by `resolution`: consensus", "## How it was collected"):
        assert figure in card


def test_every_export_takes_parquet(export_demo, tmp_path):
    for args in (["pairs"], ["kto"], ["kto", "--consensus"], ["ppo"], ["labels"], ["consensus"]):
        out = tmp_path / "-".join(args)
        r = export_demo(*args, "--format", "parquet", "--out", out)
        assert r.exit_code == 0, (args, r.output)
        loaded = _load(out)
        jsonl = [json.loads(line) for line in export_demo(*args, "--out", "-").output.splitlines()]
        assert sum(len(loaded[s]) for s in loaded) == len(jsonl) > 0, args
    labels = _load(tmp_path / "labels")["train"]  # one split: labels are not split by prompt
    first = json.loads(export_demo("labels", "--out", "-").output.splitlines()[0])
    assert json.loads(labels[0]["value"]) == first["value"]  # mixed values: JSON text
    # No demonstrations in the demo: one line, exit 1, no directory.
    r = export_demo("sft", "--format", "parquet", "--out", tmp_path / "sft")
    assert r.exit_code == 1 and "nothing to export" in r.output and not (tmp_path / "sft").exists()


def test_bad_targets_are_refused_and_nothing_is_left(export_demo, tmp_path):
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "notes.txt").write_text("mine")
    r = export_demo("pairs", "--format", "parquet", "--out", taken)
    assert r.exit_code == 1 and "not an empty directory" in r.output
    assert [p.name for p in taken.iterdir()] == ["notes.txt"]
    assert export_demo("pairs", "--format", "parquet", "--out", "-").exit_code == 2
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_shards_types_and_card_features(tmp_path):
    """Shards stay under the size limit and are named k-of-n; messages are lists of structs;
    values of mixed types and objects with varying keys are JSON text; the card's features are
    what `datasets` reads."""
    records = [{"id": i, "messages": [{"role": "user", "content": "x" * 300},
                                      {"role": "assistant", "content": str(i)}],
                "score": i / 2 if i % 2 else i, "value": [["a"], ["b", "c"]] if i % 3 else True,
                "scores": {f"o{i}": 1.0}, "groups": [["a"], ["b"]], "note": None}
               for i in range(2500)]
    written = write_dataset(tmp_path / "ds", [("train", lambda: iter(records[:2000])),
                                              ("test", lambda: iter(records[2000:]))],
                            lambda w: "---\nconfigs:\n- config_name: default\n  data_files:\n"
                                      "  - split: train\n    path: data/train-*\n"
                                      "  - split: test\n    path: data/test-*\n---\n",
                            max_shard_bytes=300_000)
    names = sorted(p.name for p in (tmp_path / "ds" / "data").iterdir())
    n = written.shards["train"]
    assert n > 1 and names == ["test-00000-of-00001.parquet"] + [
        f"train-{i:05d}-of-{n:05d}.parquet" for i in range(n)]
    assert all(p.stat().st_size <= 300_000 for p in (tmp_path / "ds" / "data").iterdir())
    loaded = _load(tmp_path / "ds")
    rows = loaded["train"].to_list() + loaded["test"].to_list()
    assert [r["id"] for r in rows] == list(range(2500))
    assert rows[7]["messages"] == records[7]["messages"] and rows[7]["score"] == 3.5
    assert json.loads(rows[1]["value"]) == [["a"], ["b", "c"]] and json.loads(rows[0]["value"]) is True
    assert json.loads(rows[5]["scores"]) == {"o5": 1.0} and rows[5]["groups"] == [["a"], ["b"]]
    assert rows[0]["note"] is None


def test_the_card_yaml_features_load(tmp_path):
    """The card's `dataset_info.features` in `datasets`' own YAML form: loading with them gives
    the columns' types (a mismatch would fail the load)."""
    from store.dataset_card import CardSpec, card_text

    db = open_db(tmp_path / "x.db")
    records = [{"prompt": [{"role": "user", "content": "hi"}], "completion": [{"role": "assistant", "content": "yo"}],
                "label": True, "groups": [["a"], ["b"]], "margin": 1.5}]
    spec = CardSpec("export kto", "test", (), {"comparison": 3})
    write_dataset(tmp_path / "ds", [("train", lambda: iter(records))], lambda w: card_text(db, spec, w))
    card = (tmp_path / "ds" / "README.md").read_text()
    assert "  - name: prompt\n    list:\n    - name: role\n      dtype: string" in card
    assert "  - name: groups\n    list:\n      list: string" in card
    loaded = _load(tmp_path / "ds")["train"]
    assert loaded.to_list() == records
    assert loaded.features["label"].dtype == "bool"


def test_split_names_the_hub_refuses(tmp_path):
    with pytest.raises(StoreError, match="split 'dev set'"):
        write_dataset(tmp_path / "ds", [("dev set", lambda: iter([{"a": 1}]))], lambda w: "")
    assert not (tmp_path / "ds").exists()
