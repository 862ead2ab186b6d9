"""classifier.train: reading Rasa NLU YAML, training from a folder, and train_if_missing."""

from __future__ import annotations

import os
import time

import pytest

from classifier.model import CategoryModel
from classifier.train import load_training_data, read_examples, train, train_if_missing


def write_nlu(folder, intent, examples):
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n".join(f"    - {e}" for e in examples)
    (folder / f"{intent}.yml").write_text(
        f'version: "3.1"\nnlu:\n- intent: {intent}\n  examples: |\n{body}\n', encoding="utf-8"
    )


@pytest.fixture
def data_dir(tmp_path, tiny_data):
    texts, labels = tiny_data
    for intent in sorted(set(labels)):
        write_nlu(tmp_path / "complaints", intent, [t for t, lab in zip(texts, labels, strict=True) if lab == intent])
    return tmp_path / "complaints"


def test_read_examples_strips_entity_annotations(tmp_path):
    write_nlu(tmp_path, "land", ["[戛洒镇](township)的征地款没发", "宅基地被占"])
    assert read_examples(tmp_path / "land.yml") == [("戛洒镇的征地款没发", "land"), ("宅基地被占", "land")]


def test_unknown_intent_is_refused(tmp_path):
    write_nlu(tmp_path, "weather", ["今天下雨"])
    with pytest.raises(ValueError, match="weather"):
        load_training_data(tmp_path)


def test_train_writes_a_loadable_model_with_a_threshold(data_dir, tmp_path):
    model, out = train(data_dir, tmp_path / "m" / "category.joblib", C=1.0, show_progress=False)
    loaded = CategoryModel.load(out)
    assert loaded.classes_ == ["environment", "labour", "land", "property"]
    assert 0.0 <= loaded.threshold <= 1.0 and loaded.report["cv_folds"] == 5
    assert loaded.predict("包工头欠工资").category == "labour"


def test_train_if_missing_trains_once_and_again_when_data_changes(data_dir, tmp_path):
    path = tmp_path / "category.joblib"
    train_if_missing(path, data_dir)
    first = path.stat().st_mtime_ns
    train_if_missing(path, data_dir)
    assert path.stat().st_mtime_ns == first  # fresh: not retrained
    later = time.time() + 5
    os.utime(data_dir / "land.yml", (later, later))
    train_if_missing(path, data_dir)
    assert path.stat().st_mtime_ns != first


def test_train_if_missing_replaces_an_unreadable_model(data_dir, tmp_path):
    path = tmp_path / "category.joblib"
    path.write_bytes(b"not a model")
    future = time.time() + 60
    os.utime(path, (future, future))
    train_if_missing(path, data_dir)
    assert CategoryModel.load(path).classes_
