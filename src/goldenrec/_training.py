"""Training m in sessions, each on the pairs one piece of strong evidence selects.

EM over all candidate pairs estimates how often true matches disagree on a field
from pairs it is itself unsure about: namesakes and neighbours pull the "match" class
towards them, and the estimate of ``m`` for a disagreement level (two dates of birth
that differ, two emails that differ) comes out far too high, so disagreeing on a date
of birth costs a pair too little. Training in sessions fixes that (Splink trains the
same way, one blocking rule per session):

- a session takes the candidate pairs that agree exactly on an *anchor* (an email, a
  phone, a national id; or all names and the date of birth together); nearly all of
  them are true matches, so EM on them estimates ``m`` of every *other* comparison well;
- the anchor's own comparisons are left out of that session (the selection makes them
  agree by construction);
- each comparison's ``m`` is the mean over the sessions that estimated it; one that no
  session estimated keeps the ``m`` of the model trained on all pairs.

The model is then refitted with these ``m`` fixed, to estimate only the share of
matches (and so the prior).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from goldenrec._comparisons import Comparison

__all__ = ["Session", "person_evidence", "session_m", "sessions_for"]

logger = logging.getLogger(__name__)

#: Roles whose exact agreement alone is strong evidence of one person.
ANCHOR_FIELDS = frozenset({"email", "phone", "national_id"})
#: Roles that together (all present ones exact) are strong evidence of one person.
PERSON_ANCHOR = ("first_name", "last_name", "full_name", "date_of_birth")
#: Fewest pairs a session needs to be worth training.
MIN_SESSION_PAIRS = 200


@dataclass(frozen=True)
class Session:
    """One training session: the comparisons whose exact agreement selects its pairs."""

    anchor: tuple[str, ...]


def sessions_for(comparisons: Sequence[Comparison]) -> list[Session]:
    """One session per identifying comparison (email, phone, national id), plus one on
    the names and the date of birth together (when both are compared).

    >>> from goldenrec._comparisons import EmailComparison, NameComparison
    >>> sessions_for([EmailComparison("email"), NameComparison("first_name")])
    [Session(anchor=('email',))]
    """
    sessions = [Session((c.name,)) for c in comparisons if c.field in ANCHOR_FIELDS]
    person = [c for c in comparisons if c.field in PERSON_ANCHOR]
    if any(c.field == "date_of_birth" for c in person) and len(person) >= 2:
        sessions.append(Session(tuple(c.name for c in person)))
    return sessions


def session_m(fit_one: Callable[[pd.DataFrame], Mapping[str, np.ndarray]],
              gamma: pd.DataFrame, sessions: Sequence[Session], names: Sequence[str]
              ) -> dict[str, np.ndarray]:
    """Mean ``m`` per comparison over the sessions that estimated it.

    ``fit_one(training_gamma)`` fits a model on the given pairs and returns its ``m``.
    Comparisons no session estimated are absent from the result.
    """
    estimates: dict[str, list[np.ndarray]] = {}
    for session in sessions:
        selected = np.ones(len(gamma), dtype=bool)
        for name in session.anchor:
            selected &= gamma[f"gamma_{name}"].to_numpy() == 0
        if int(selected.sum()) < MIN_SESSION_PAIRS:
            continue
        m = fit_one(gamma.loc[selected].reset_index(drop=True))
        for name in names:
            if name not in session.anchor:
                estimates.setdefault(name, []).append(np.asarray(m[name], dtype=np.float64))
        logger.debug("training session on %d comparisons: %d pairs", len(session.anchor),
                     int(selected.sum()))
    return {name: np.mean(np.vstack(found), axis=0) for name, found in estimates.items()}



#: Fields that say who a person is (EM trains only on pairs agreeing on some of them).
PERSON_FIELDS = ("first_name", "last_name", "full_name", "date_of_birth", "email", "phone",
                 "national_id")


def person_evidence(gamma: pd.DataFrame, comparisons: Sequence[Comparison],
                    counts: np.ndarray | None = None) -> np.ndarray | None:
    """Candidate pairs with real evidence of being one person: exact agreement on an
    email, phone or national id, or on two other person fields (names, date of birth).

    EM trains on these only: pairs that merely share a town, street or country are
    numerous at scale and would otherwise become the latent "match" class. ``counts``
    (pairs per row, for a table of level patterns) weigh the rows. ``None`` when no
    such comparison exists or fewer than 10 pairs qualify.
    """
    if not any(c.field in PERSON_FIELDS for c in comparisons):
        return None
    agreements = np.zeros(len(gamma), dtype=np.int64)
    strong = np.zeros(len(gamma), dtype=bool)
    for comparison in comparisons:
        if comparison.field not in PERSON_FIELDS:
            continue
        exact = gamma[f"gamma_{comparison.name}"].to_numpy() == 0
        agreements += exact
        if comparison.field in ANCHOR_FIELDS:
            strong |= exact
    keep: np.ndarray = strong | (agreements >= 2)
    qualifying = keep.sum() if counts is None else counts[keep].sum()
    if qualifying < 10:
        return None
    return keep
