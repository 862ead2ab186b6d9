"""Training the application's three text models into the settings' model folder (`petition train`, `make run`):

* category.joblib   the 17 complaint categories (classifier.train, nlu_data/complaints)
* matter.joblib     the matters of the catalogue: examples per matter (nlu_data/matters), the catalogue's own
                    examples, and its keywords as short texts (a citizen often writes little more than the keyword)
* urgent.joblib     danger to life now or not: nlu_data/urgent.yml (urgent wordings and hard negatives)
* gate.joblib       complaint or not: complaints and matter examples against nlu_data/not_complaints.yml and the
                    dialogue's greetings, thanks, yes/no and status queries (nlu_data/dialogue/nlu)

All three are classifier.model.CategoryModel, cross-validated for their probabilities and review threshold.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from bot.matters import CATALOGUE_DIR, Catalogue, load_catalogue
from bot.settings import ROOT
from classifier import train as category_training
from classifier.extract.flags import derive_flags
from classifier.model import MODEL_FILE_NAME, CategoryModel
from classifier.train import read_examples

MATTER_MODEL = "matter.joblib"
GATE_MODEL = "gate.joblib"
URGENT_MODEL = "urgent.joblib"
URGENT_DATA = ROOT / "nlu_data" / "urgent.yml"
# urgent when the model gives this much: the lowest threshold at which, in 5-fold CV, at most 2% of ordinary complaints
# are flagged (0.2: recall 0.858 and precision 0.883 on nlu_data/urgent.yml, 1.6% of 6,834 complaints flagged). The
# term list alone (flag_urgent.txt) reached recall 0.326, and with the model it only lowered precision.
URGENT_THRESHOLD = 0.2
MATTER_DATA = ROOT / "nlu_data" / "matters"
NOT_COMPLAINTS = ROOT / "nlu_data" / "not_complaints.yml"
DIALOGUE_NLU = ROOT / "nlu_data" / "dialogue" / "nlu"
# dialogue intents whose messages are never a complaint on their own. Not `inform`: a bare place or time is a
# fragment of a complaint (the dialogue asks for the rest); 5-fold CV caught 82% of non-complaints with 0.24% of
# complaints gated without it, 74% with 0.57% with it. Not report_problem either: it holds openings like 我要投诉.
NOT_COMPLAINT_INTENTS = {"greet", "thank", "goodbye", "affirm", "deny", "check_status", "ask_human", "out_of_scope"}
# not a complaint when the gate gives this much: the lowest threshold keeping complaints taken for non-complaints
# under 0.5% in 5-fold CV (0.2: 86% of non-complaints caught, 0.44% of complaints gated)
GATE_THRESHOLD = 0.2
COMPLAINT, NOT_COMPLAINT = "complaint", "not_complaint"


def matter_examples(
    catalogue: Catalogue, data_dir: Path = MATTER_DATA, with_catalogue: bool = True
) -> tuple[list[str], list[str]]:
    """Examples per matter; with the catalogue's own examples and keywords unless `with_catalogue` is False."""
    texts: list[str] = []
    labels: list[str] = []
    for path in sorted(data_dir.glob("*.yml")):
        for text, intent in read_examples(path):
            if intent not in catalogue.matters:
                raise ValueError(f"{path.name}: {intent} is not a matter of the catalogue (bot/matters/)")
            texts.append(text)
            labels.append(intent)
    for m in catalogue.matters.values() if with_catalogue else ():
        for text in (*m.examples, *m.keywords):
            texts.append(text)
            labels.append(m.code)
    return texts, labels


def gate_examples(matter_texts: Iterable[str]) -> tuple[list[str], list[str]]:
    complaints, _ = category_training.load_training_data()
    positives = [*complaints, *matter_texts]
    negatives = [t for t, _ in read_examples(NOT_COMPLAINTS)]
    for path in sorted(DIALOGUE_NLU.glob("*.yml")):
        negatives += [t for t, intent in read_examples(path) if intent in NOT_COMPLAINT_INTENTS]
    return positives + negatives, [COMPLAINT] * len(positives) + [NOT_COMPLAINT] * len(negatives)


def _inputs() -> list[Path]:
    return [
        *category_training.DEFAULT_DATA.glob("*.y*ml"),
        *MATTER_DATA.glob("*.yml"),
        *CATALOGUE_DIR.glob("*.yml"),
        NOT_COMPLAINTS,
        URGENT_DATA,
        *DIALOGUE_NLU.glob("*.yml"),
    ]


def _stale(path: Path) -> bool:
    """Missing, older than any training input, or unreadable by this version of the code."""
    if not path.is_file():
        return True
    if max(p.stat().st_mtime for p in _inputs()) > path.stat().st_mtime:
        return True
    try:
        CategoryModel.load(path)
    except Exception:
        return True
    return False


def train_matter_model(out: Path, show_progress: bool = True) -> CategoryModel:
    texts, labels = matter_examples(load_catalogue())
    return _fit_and_save(CategoryModel(C=1.0, cv=5), texts, labels, out, "training matter model", show_progress)


def train_gate_model(out: Path, show_progress: bool = True) -> CategoryModel:
    # written complaints only: a bare keyword (欠薪) is no sentence a gate should learn from
    matter_texts, _ = matter_examples(load_catalogue(), with_catalogue=False)
    texts, labels = gate_examples(matter_texts)
    model = CategoryModel(C=1.0, cv=5, class_weight="balanced")
    return _fit_and_save(model, texts, labels, out, "training complaint gate", show_progress)


def urgent_examples() -> tuple[list[str], list[str]]:
    """nlu_data/urgent.yml, and as ordinary messages every complaint and matter example the term list does not
    call urgent: without them the model learns "not urgent" only from near-misses and flags ordinary complaints."""
    pairs = read_examples(URGENT_DATA)
    texts, labels = [t for t, _ in pairs], [i for _, i in pairs]
    complaints, _ = category_training.load_training_data()
    matter_texts, _ = matter_examples(load_catalogue(), with_catalogue=False)
    ordinary = [t for t in (*complaints, *matter_texts) if "urgent" not in derive_flags(t, {})]
    return texts + ordinary, labels + ["not_urgent"] * len(ordinary)


def train_urgent_model(out: Path, show_progress: bool = True) -> CategoryModel:
    texts, labels = urgent_examples()
    model = CategoryModel(C=1.0, cv=5, class_weight="balanced")  # 485 urgent against about 7,400 others
    return _fit_and_save(model, texts, labels, out, "training urgency model", show_progress)


def _fit_and_save(
    model: CategoryModel, texts: list[str], labels: list[str], out: Path, desc: str, show_progress: bool
) -> CategoryModel:
    """Fits with a progress bar (one step per CV fold and stage) and saves."""
    with tqdm(total=model.cv + 3, desc=desc, unit="step", disable=not show_progress) as bar:

        def step(msg: str) -> None:
            bar.set_postfix_str(msg, refresh=False)
            bar.update(1)

        model.fit(texts, labels, progress=step)
        model.save(out)
    return model


def train_all(model_dir: Path, real_dir: Path | None = None, show_progress: bool = True) -> dict[str, CategoryModel]:
    model_dir.mkdir(parents=True, exist_ok=True)
    category, _ = category_training.train(
        out=model_dir / MODEL_FILE_NAME, show_progress=show_progress, real_dir=real_dir
    )
    return {
        "category": category,
        "matter": train_matter_model(model_dir / MATTER_MODEL, show_progress),
        "gate": train_gate_model(model_dir / GATE_MODEL, show_progress),
        "urgent": train_urgent_model(model_dir / URGENT_MODEL, show_progress),
    }


def train_missing(model_dir: Path, real_dir: Path | None = None) -> None:
    """Trains each model whose file is missing, older than its inputs, or unreadable (`make run`)."""
    category_training.train_if_missing(model_dir / MODEL_FILE_NAME, real_dir=real_dir)
    if _stale(model_dir / MATTER_MODEL):
        train_matter_model(model_dir / MATTER_MODEL)
    if _stale(model_dir / GATE_MODEL):
        train_gate_model(model_dir / GATE_MODEL)
    if _stale(model_dir / URGENT_MODEL):
        train_urgent_model(model_dir / URGENT_MODEL)
