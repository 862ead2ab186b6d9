"""Learning from dispatch history: the departments that handled the most similar past tickets, and operator-confirmed
re-routes folded into the matter model (`petition retrain`).

Past tickets count as confirmed when they were resolved (the department that resolved a ticket handled it) or
re-routed by an operator (bot.models.DispatchExample, confirmed). A department's return with a suggestion is kept
too, but is not confirmed until an operator re-routes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import intake
from bot.jurisdiction import Jurisdiction
from bot.matters import Catalogue
from bot.models import DispatchExample, Ticket
from bot.vocabulary import TicketStatus
from classifier.model import CategoryModel
from classifier.normalise import normalise

MIN_HISTORY = 20  # fewer confirmed tickets than this: no vote (too little to go on)


@dataclass
class Neighbours:
    """The past tickets most like a text (TF-IDF of character 1-3-grams, cosine) and the departments that handled
    them; `vote` sums the similarities of the `k` nearest by department."""

    texts: Sequence[str]
    departments: Sequence[str]

    def __post_init__(self) -> None:
        self._vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        self._matrix = self._vectorizer.fit_transform([normalise(t) for t in self.texts])

    def vote(self, text: str, k: int = 10) -> list[tuple[str, float]]:
        similarity = (self._matrix @ self._vectorizer.transform([normalise(text)]).T).toarray().ravel()
        nearest = np.argsort(-similarity)[:k]
        votes: dict[str, float] = defaultdict(float)
        for i in nearest:
            if similarity[i] > 0:
                votes[self.departments[i]] += float(similarity[i])
        total = sum(votes.values()) or 1.0
        return sorted(((d, round(v / total, 4)) for d, v in votes.items()), key=lambda kv: -kv[1])


def confirmed_history(s: Session) -> tuple[list[str], list[str]]:
    """(texts, departments) of the tickets whose department is known to be right."""
    texts, departments = [], []
    for text, dept in s.execute(
        select(Ticket.text, Ticket.department_code).where(Ticket.status == TicketStatus.RESOLVED)
    ):
        texts.append(text)
        departments.append(dept)
    rerouted = select(DispatchExample.text, DispatchExample.right_department).where(
        DispatchExample.confirmed.is_(True), DispatchExample.right_department.is_not(None)
    )
    for text, dept in s.execute(rerouted):
        texts.append(text)
        departments.append(dept)
    return texts, departments


def neighbours(s: Session) -> Neighbours | None:
    texts, departments = confirmed_history(s)
    return Neighbours(texts, departments) if len(texts) >= MIN_HISTORY else None


def confirmed_matter_examples(
    s: Session, catalogue: Catalogue, j: Jurisdiction, matter_model: CategoryModel
) -> list[tuple[str, str]]:
    """(text, matter) of every operator-confirmed re-route: the matter the current model finds likeliest among
    those the right department handles for the ticket's township. Re-routes to a department that handles no
    matter of the catalogue teach nothing here and are skipped."""
    out = []
    rows = s.scalars(
        select(DispatchExample).where(
            DispatchExample.confirmed.is_(True), DispatchExample.right_department.is_not(None)
        )
    )
    for e in rows:
        candidates = {
            code for code in catalogue.matters if catalogue.department(code, e.township, j) == e.right_department
        }
        if not candidates:
            continue
        scores = dict(zip(matter_model.classes_, matter_model.scores(e.text), strict=True))
        out.append((e.text, max(candidates, key=lambda code: scores.get(code, 0.0))))
    return out


def department_accuracy(rows: list[dict], matter_model: CategoryModel) -> tuple[int, int]:
    """(right, asked) over the in-county complaints of a routing set (bench.routing's format) with this matter
    model: the department reached is one of the row's `departments`."""
    right = asked = 0
    for row in rows:
        if not row.get("complaint", True) or row.get("out_of_area"):
            continue
        draft = intake.analyse(row["text"], matters_by=matter_model)
        asked += 1
        right += intake.route_of(draft).department_code in set(row.get("departments") or ())
    return right, asked
