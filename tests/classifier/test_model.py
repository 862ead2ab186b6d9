"""CategoryModel: predictions, probabilities, thresholds, persistence, and the fast single-text path."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.model import (
    CategoryModel,
    Prediction,
    choose_threshold,
    clear_model_cache,
    expected_calibration_error,
    load_model,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("包工头拖欠我们工资", "labour"),
        ("征地补偿款还没发", "land"),
        ("养殖场污水排到河里臭得很", "environment"),
        ("物业乱收物业费电梯也不修", "property"),
        ("工廠偷排廢水", "environment"),  # traditional characters reach the model simplified
    ],
)
def test_obvious_cases(tiny_model, text, expected):
    assert tiny_model.predict(text).category == expected


def test_top_three_are_sorted_probabilities_summing_to_at_most_one(tiny_model):
    p = tiny_model.predict("老板欠薪跑路了")
    assert isinstance(p, Prediction)
    assert len(p.top) == 3
    probs = [q for _, q in p.top]
    assert probs == sorted(probs, reverse=True)
    assert all(0.0 <= q <= 1.0 for q in probs)
    assert sum(probs) <= 1.0 + 1e-9
    assert p.top[0] == (p.category, p.confidence)
    assert len({c for c, _ in p.top}) == 3


def test_needs_review_follows_the_threshold(tiny_model):
    for p in tiny_model.predict_many(["包工头拖欠我们工资", "今天天气不错", "物业"]):
        assert p.needs_review == (p.confidence < tiny_model.threshold)


def test_noise_and_empty_text_always_need_review(tiny_model):
    for text in ["", "😀😀", "。。。"]:
        p = tiny_model.predict(text)
        assert p.needs_review
        assert p.category in tiny_model.classes_


def test_fast_single_path_matches_batched_scikit_learn_path(tiny_model):
    texts = ["包工头拖欠我们工资", "物业乱收费", "工廠偷排廢水 https://x.cn 😡", "", "完全无关的一句话 xyz 123"]
    batched = tiny_model.predict_proba_many(texts)
    single = np.vstack([tiny_model.scores(t) for t in texts])
    np.testing.assert_allclose(single, batched, atol=1e-6)  # float32 weights
    assert [p.category for p in tiny_model.predict_many(texts)] == [tiny_model.predict(t).category for t in texts]


def test_save_load_round_trip(tiny_model, tmp_path):
    path = tiny_model.save(tmp_path / "m" / "category.joblib")
    loaded = CategoryModel.load(path)
    assert loaded.classes_ == tiny_model.classes_
    assert loaded.threshold == tiny_model.threshold and loaded.temperature == tiny_model.temperature
    for text in ["包工头拖欠我们工资", "物业乱收费", "随便说点什么"]:
        assert loaded.predict(text) == tiny_model.predict(text)


def test_load_model_is_cached_per_process(tiny_model, tmp_path):
    path = tiny_model.save(tmp_path / "category.joblib")
    clear_model_cache()
    try:
        assert load_model(path) is load_model(path)
    finally:
        clear_model_cache()


def test_missing_model_file_says_how_to_train(tmp_path):
    with pytest.raises(FileNotFoundError, match="classifier.train"):
        load_model(tmp_path / "nothing.joblib")


def test_loading_something_else_is_refused(tmp_path):
    import joblib

    joblib.dump({"not": "a model"}, tmp_path / "x.joblib")
    with pytest.raises(ValueError):
        CategoryModel.load(tmp_path / "x.joblib")


def test_cross_validation_report_and_c_grid(tiny_data):
    texts, labels = tiny_data
    m = CategoryModel(cv=3).fit(texts, labels, C_grid=(0.3, 3.0))
    r = m.report
    assert m.C in (0.3, 3.0) and r["C"] == m.C
    assert set(r["C_grid_cv_macro_f1"]) == {"0.3", "3.0"}
    assert 0.0 <= r["cv_ece"] <= 1.0 and r["temperature"] > 0
    assert 0.0 <= m.threshold <= 1.0


def test_pretokenised_mode_uses_the_given_tokens():
    texts = ["物业 收费 太 高", "物业 电梯 坏 了", "工资 拖欠 三个月", "老板 拖欠 工资", "物业 不 打扫", "工头 欠 工资"]
    labels = ["property", "property", "labour", "labour", "property", "labour"]
    m = CategoryModel(pretokenised=True, cv=0).fit(texts, labels)
    assert "物业 电梯" in m._vectorizers[0].vocabulary_  # a word bigram of the given tokens
    assert m.predict("电梯 坏 了 物业 不管").category == "property"
    assert m.predict("拖欠 工资").category == "labour"


def test_two_categories_work():
    m = CategoryModel(cv=0).fit(
        ["欠工资", "拖欠工资不给", "物业费太贵", "物业不管电梯"], ["labour", "labour", "property", "property"]
    )
    p = m.predict("老板欠工资")
    assert p.category == "labour" and len(p.top) == 2


def test_choose_threshold_reaches_the_target_precision():
    conf = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    correct = np.array([1, 1, 1, 1, 0, 1, 0, 0], dtype=bool)
    assert choose_threshold(conf, correct, 0.8) == 0.6  # 5 of the 6 above 0.6 are right
    assert choose_threshold(conf, correct, 1.0) == 0.8
    assert choose_threshold(np.array([0.5, 0.5]), np.array([True, False]), 0.9) == 1.0


def test_choose_threshold_respects_ties():
    conf = np.array([0.9, 0.7, 0.7, 0.7])
    correct = np.array([True, True, False, False])
    assert choose_threshold(conf, correct, 0.6) == 0.9  # taking 0.7 would take all three tied rows


def test_expected_calibration_error():
    assert expected_calibration_error(np.array([1.0, 1.0]), np.array([1, 1])) == 0.0
    assert expected_calibration_error(np.array([0.9] * 10), np.array([1] * 5 + [0] * 5)) == pytest.approx(0.4)


@pytest.mark.parametrize("min_df, max_features", [(1, None), (2, None), (1, 10_000)])
def test_cross_validation_features_equal_a_vectoriser_fitted_on_the_fold(tiny_data, min_df, max_features):
    """The CV shortcut (counts built once, TF-IDF per fold) must give what per-fold TfidfVectorizers give."""
    texts, _labels = tiny_data
    m = CategoryModel(min_df=min_df, max_features=max_features)
    prepared = [m.prepare(t) for t in texts]
    tr, te = np.arange(0, len(texts), 2), np.arange(1, len(texts), 2)
    fast_tr, fast_te = m._fold_tfidf(m._count_blocks(prepared), tr, te)
    vecs = m._make_vectorizers()
    ref_tr = m._fit_transform(vecs, [prepared[i] for i in tr])
    ref_te = m._transform(vecs, [prepared[i] for i in te])
    # same values up to column order: compare the Gram matrices
    np.testing.assert_allclose((fast_tr @ fast_te.T).toarray(), (ref_tr @ ref_te.T).toarray(), atol=1e-12)
    np.testing.assert_allclose((fast_tr @ fast_tr.T).toarray(), (ref_tr @ ref_tr.T).toarray(), atol=1e-12)
    assert fast_tr.getnnz() == ref_tr.getnnz() and fast_te.getnnz() == ref_te.getnnz()


def test_nb_svm_mode_predicts_and_keeps_single_and_batched_paths_equal(tiny_data):
    texts, labels = tiny_data
    m = CategoryModel(cv=3, nb_alpha=0.1).fit(texts, labels)
    assert m.predict("包工头拖欠我们工资").category == "labour"
    assert m.predict("物业乱收物业费").category == "property"
    probe = ["包工头拖欠我们工资", "工廠偷排廢水", "随便"]
    np.testing.assert_allclose(np.vstack([m.scores(t) for t in probe]), m.predict_proba_many(probe), atol=1e-6)
