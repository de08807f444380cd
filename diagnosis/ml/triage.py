"""Triage: how soon the patient should be seen (emergency > urgent > routine > self_care).

The level is the most urgent of:

1. the floor set by warning signs: the most urgent ``red_flag`` of the findings the patient
   reported (the model can never lower it), and "urgent" when a reported finding is one of the
   red flags of a condition that is reasonably likely (P >= ``CONDITION_RED_FLAG_P``; the
   condition's ``red_flag_level`` when it says "emergency"),
   "emergency" when ``EMERGENCY_FLAGS_TOGETHER`` of them are for a likely emergency condition;
   a facial droop is an urgent sign, not an emergency one, when the forehead or eyelid is weak
   too and the patient says arms and legs are not (see ``PERIPHERAL_FACE``);
2. age floors: an infant (under one year) with a fever is at least urgent; and uncertainty: when
   no condition reaches ``UNCERTAIN_TOP_P``, self-care alone is not advised (at least routine);
3. the probability-weighted urgency of the likely conditions: with M(L) the total probability
   of conditions whose urgency is L or more, the level is the most urgent L whose M(L) reaches
   its threshold. Thresholds are chosen on synthetic validation data by ``tune_thresholds`` to
   maximise exact agreement while keeping unsafe triage (two or more levels too low) rare.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from diagnosis.ml.knowledge import KnowledgeBase

LEVELS: tuple[str, ...] = ("self_care", "routine", "urgent", "emergency")
RANK: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
CONDITION_RED_FLAG_P = 0.1
EMERGENCY_FLAGS_TOGETHER = 2
INFANT_FEVER_CODES = ("fever", "fever_high")
MAX_UNSAFE_RATE = 0.005
# Below this probability for the most likely condition, the checker is not sure enough of the
# cause to advise self-care only (the floor becomes "routine").
UNCERTAIN_TOP_P = 0.3  # on synthetic validation data, when tuning thresholds
# (the droop, the forehead/eyelid weakness of a facial nerve palsy, the limb weakness denied):
# a whole half of the face weak, eye closure and forehead included, is the lower motor neurone
# pattern of Bell's palsy (a stroke spares the forehead); with arms and legs said to be fine and
# no other emergency sign, the droop is seen the same day, not as a 999 stroke
PERIPHERAL_FACE = ("facial_droop", "facial_weakness_whole_side", "weakness_one_side")


@dataclass(frozen=True)
class TriageThresholds:
    """Minimum probability mass of conditions at least this urgent to reach the level."""

    emergency: float = 0.2
    urgent: float = 0.3
    routine: float = 0.35

    def as_array(self) -> np.ndarray:
        """Thresholds indexed by level rank (self_care needs nothing)."""
        return np.array([0.0, self.routine, self.urgent, self.emergency])


@dataclass(frozen=True)
class Triage:
    level: str
    reasons: tuple[str, ...]

    @property
    def rank(self) -> int:
        return RANK[self.level]


def is_safe(predicted: str, expected: str) -> bool:
    """Exact, more urgent, or at most one level less urgent (so an emergency is never triaged
    below urgent)."""
    return RANK[predicted] >= RANK[expected] - 1


def urgency_mass(probabilities: np.ndarray, urgency_ranks: np.ndarray) -> np.ndarray:
    """(n, 4): column L is the probability of conditions with urgency rank >= L."""
    probabilities = np.atleast_2d(probabilities)
    per_level = np.stack(
        [probabilities[:, urgency_ranks == level].sum(axis=1) for level in range(len(LEVELS))],
        axis=1,
    )
    return np.cumsum(per_level[:, ::-1], axis=1)[:, ::-1]


def levels_from_mass(mass: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Most urgent level whose mass reaches its threshold, per row."""
    reached = mass >= thresholds[None, :] - 1e-12
    reached[:, 0] = True
    return np.max(np.where(reached, np.arange(len(LEVELS))[None, :], 0), axis=1)


def floor(
    kb: KnowledgeBase,
    *,
    present: Iterable[str],
    probabilities: Mapping[str, float],
    age: float | None,
    absent: Iterable[str] = (),
) -> tuple[int, list[str]]:
    """The lowest level allowed by warning signs and age, with the reasons."""
    present_set = {code for code in present if code in kb.findings}
    peripheral = _peripheral_face(kb, present_set, set(absent))
    level = 0
    reasons: list[str] = []
    for code in sorted(present_set):
        flag = kb.findings[code].red_flag
        if flag and code == peripheral:
            reasons.append(f"Warning sign: {kb.findings[code].label} with the forehead or eyelid weak too (urgent)")
            level = max(level, RANK["urgent"])
        elif flag:
            reasons.append(f"Warning sign: {kb.findings[code].label} ({flag})")
            level = max(level, RANK[flag])
    for cid, p in sorted(probabilities.items(), key=lambda item: (-item[1], item[0])):
        if p < CONDITION_RED_FLAG_P:
            break
        condition = kb.conditions[cid]
        flags = [code for code in condition.red_flags if code in present_set]
        # a condition's own level for its flags: urgent, or emergency (giant cell arteritis with
        # blurred vision); a model file from before the field existed has the class default
        flag_level = RANK[condition.red_flag_level]
        for code in flags:
            reasons.append(f"{kb.findings[code].label} is a warning sign for {condition.name}")
            level = max(level, flag_level)
        if condition.urgency == "emergency" and len(flags) >= EMERGENCY_FLAGS_TOGETHER:
            # two warning signs of a reasonably likely emergency together ("confused, breathing
            # fast" beside a likely sepsis) are an emergency, whatever the rest of the mass says
            reasons.append(f"{len(flags)} warning signs together for {condition.name}")
            level = max(level, RANK["emergency"])
    if age is not None and age < 1 and present_set.intersection(INFANT_FEVER_CODES):
        reasons.append("Fever in a baby under one year old")
        level = max(level, RANK["urgent"])
    top = max(probabilities.values(), default=0.0)
    if level < RANK["routine"] and top < UNCERTAIN_TOP_P:
        reasons.append("The cause is unclear, so self-care alone is not advised")
        level = RANK["routine"]
    return level, reasons


def _peripheral_face(kb: KnowledgeBase, present: set[str], absent: set[str]) -> str | None:
    """The facial droop, when it is told as a whole-side facial palsy with the limbs said to be
    fine and no other emergency warning sign; else None."""
    droop, whole_side, limbs = PERIPHERAL_FACE
    if droop not in present or whole_side not in present or limbs not in absent:
        return None
    if any(kb.findings[code].red_flag == "emergency" for code in present - {droop}):
        return None
    return droop


def assess(
    kb: KnowledgeBase,
    *,
    present: Iterable[str],
    probabilities: Mapping[str, float],
    age: float | None,
    thresholds: TriageThresholds = TriageThresholds(),
    absent: Iterable[str] = (),
) -> Triage:
    """The triage level for one patient, with the reasons that set it."""
    level, reasons = floor(kb, present=present, probabilities=probabilities, age=age, absent=absent)
    ids = list(probabilities)
    probs = np.array([probabilities[cid] for cid in ids], dtype=float)
    ranks = np.array([RANK[kb.conditions[cid].urgency] for cid in ids], dtype=int)
    mass = urgency_mass(probs, ranks)[0] if ids else np.zeros(len(LEVELS))
    from_model = int(levels_from_mass(mass[None, :], thresholds.as_array())[0])
    if from_model > 0 and from_model >= level:
        reasons.append(
            f"Likely conditions needing {LEVELS[from_model].replace('_', ' ')} care or sooner: {mass[from_model]:.0%}"
        )
    level = max(level, from_model)
    return Triage(level=LEVELS[level], reasons=tuple(reasons))


def tune_thresholds(
    mass: np.ndarray,
    floors: np.ndarray,
    expected: np.ndarray,
    *,
    max_unsafe_rate: float = MAX_UNSAFE_RATE,
    grid: Sequence[float] = (0.05, 0.08, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6),
) -> tuple[TriageThresholds, dict[str, float]]:
    """Thresholds maximising exact triage subject to an unsafe rate <= ``max_unsafe_rate``.

    ``mass`` (n, 4) from :func:`urgency_mass`, ``floors`` (n,) the red-flag/age floor ranks,
    ``expected`` (n,) the true urgency ranks. If no combination is safe enough, the safest one
    wins.
    """
    best: tuple[tuple[float, float], TriageThresholds, dict[str, float]] | None = None
    for emergency, urgent, routine in product(grid, grid, grid):
        thresholds = TriageThresholds(emergency=emergency, urgent=urgent, routine=routine)
        levels = np.maximum(levels_from_mass(mass, thresholds.as_array()), floors)
        unsafe = float(np.mean(levels < expected - 1))
        exact = float(np.mean(levels == expected))
        score = (0.0 if unsafe <= max_unsafe_rate else -unsafe, exact)
        if best is None or score > best[0]:
            best = (score, thresholds, {"exact": exact, "unsafe": unsafe, "safe": 1 - unsafe})
    assert best is not None
    return best[1], best[2]
