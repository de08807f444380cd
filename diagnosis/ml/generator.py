"""Synthetic patients drawn from the knowledge base, for training and testing.

The story of one synthetic patient:

1. a condition is picked with :func:`class_weights` (the prevalence prior with a floor);
2. age and sex are drawn from where the condition applies (age from a population-like mix);
3. each of the condition's findings is present with its KB probability; duration findings are
   mutually exclusive (at most one, drawn in proportion to their probabilities), and so are
   sudden/gradual onset;
4. the patient *reports* only some of them: 1-7 (mostly 2-6), favouring the typical ones, and
   mentions the duration/onset when they have one more often than not;
5. patients are imprecise: a reported finding is sometimes said in its more general form ("a
   rash" for "an itchy rash"), rarely in a more specific one, and a duration sometimes lands in
   the neighbouring bucket (see ``related.py``);
6. sometimes an unrelated background complaint slips in (noise), and sometimes the patient
   volunteers a negative ("no fever") of something the condition rarely has.

Class balance: the prevalence prior (very_common 8, common 4, uncommon 2, rare 1, very_rare 0.5)
with a floor of ``CLASS_FLOOR`` x the mean weight, so that rare and serious conditions still get
enough training cases to be learnt (at 1/16 of a very common one, a very rare emergency would be
drowned). The same floored weights are the prior of every model, so the synthetic test split is
drawn from the distribution the models assume.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from diagnosis.ml.knowledge import Condition, KnowledgeBase
from diagnosis.ml.related import duration_neighbours, generalisations, specialisations

PREVALENCE_WEIGHTS: dict[str, float] = {
    "very_common": 8.0,
    "common": 4.0,
    "uncommon": 2.0,
    "rare": 1.0,
    "very_rare": 0.5,
}
CLASS_FLOOR = 0.5  # every condition gets at least half the mean weight
# how many findings a patient volunteers (durations/onset come on top)
REPORT_COUNTS = (1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7)
KIND_SALIENCE = {"symptom": 1.0, "sign": 0.8, "context": 0.5, "onset": 0.5, "duration": 0.5}
DURATION_REPORT_RATE = 0.6
ONSET_REPORT_RATE = 0.45
NOISE_RATE = 0.25  # chance of one unrelated background finding
NOISE_RATE_SECOND = 0.05  # chance of a second one
NEGATIVE_RATE = 0.35  # chance of volunteering 1-2 negatives
# Mean share of a condition's present findings that a patient reports, used by the Bayes model
# to put unlisted (noise) findings on the same scale as listed ones.
MEAN_REPORT_RATE = 0.6
EXCLUSIVE_ONSETS = ("onset_sudden", "onset_gradual")
GENERALISE_RATE = 0.3  # a reported finding said in a more general form
SPECIALISE_RATE = 0.05  # ... or in a more specific form the condition does not list
DURATION_SHIFT_RATE = 0.25  # a duration reported in the neighbouring bucket


@dataclass(frozen=True)
class Case:
    """One patient: a condition and what they said (finding code -> present)."""

    condition_id: str
    age: int
    sex: str
    findings: tuple[tuple[str, bool], ...]
    text: str = ""

    @property
    def present(self) -> tuple[str, ...]:
        return tuple(code for code, present in self.findings if present)

    @property
    def absent(self) -> tuple[str, ...]:
        return tuple(code for code, present in self.findings if not present)


def class_weights(kb: KnowledgeBase, floor: float = CLASS_FLOOR) -> dict[str, float]:
    """Sampling weight of each condition (sums to 1): prevalence prior with a floor."""
    raw = {cid: PREVALENCE_WEIGHTS[c.prevalence] for cid, c in kb.conditions.items()}
    if not raw:
        return {}
    minimum = floor * sum(raw.values()) / len(raw)
    floored = {cid: max(w, minimum) for cid, w in raw.items()}
    total = sum(floored.values())
    return {cid: w / total for cid, w in floored.items()}


def background_distribution(kb: KnowledgeBase) -> dict[str, float]:
    """How often each finding occurs across conditions (weighted by the class prior): the
    distribution noise findings and volunteered negatives are drawn from."""
    weights = class_weights(kb)
    totals: dict[str, float] = {}
    for cid, condition in kb.conditions.items():
        for code, p in condition.findings.items():
            if kb.findings[code].kind in ("duration", "onset", "context"):
                continue
            totals[code] = totals.get(code, 0.0) + weights[cid] * p
    total = sum(totals.values()) or 1.0
    return {code: v / total for code, v in sorted(totals.items())}


def sample_age(condition: Condition, rng: random.Random) -> int:
    """A population-like age (children, adults, older adults) within the condition's range."""
    low, high = condition.age_min, min(condition.age_max, 95)
    if high < low:
        high = condition.age_max
    for _ in range(8):
        band = rng.random()
        if band < 0.07:
            age = rng.randint(0, 4)
        elif band < 0.18:
            age = rng.randint(5, 17)
        elif band < 0.75:
            age = rng.randint(18, 64)
        else:
            age = rng.randint(65, 95)
        if low <= age <= high:
            return age
    return rng.randint(low, high)


def sample_sex(condition: Condition, rng: random.Random) -> str:
    if condition.sex in ("female", "male"):
        return condition.sex
    return "female" if rng.random() < 0.5 else "male"


def _weighted_sample(items: list[str], weights: list[float], k: int, rng: random.Random) -> list[str]:
    """k distinct items, drawn in proportion to their weights (deterministic for a seed)."""
    pool = list(zip(items, weights, strict=True))
    chosen: list[str] = []
    while pool and len(chosen) < k:
        total = sum(w for _, w in pool)
        pick = rng.random() * total
        acc = 0.0
        for index, (item, weight) in enumerate(pool):
            acc += weight
            if pick <= acc:
                chosen.append(item)
                pool.pop(index)
                break
        else:
            chosen.append(pool.pop()[0])
    return chosen


def _pick_one(options: Mapping[str, float], rng: random.Random) -> str | None:
    """At most one of mutually exclusive findings, each in proportion to its probability."""
    total = sum(options.values())
    if not options or rng.random() >= min(1.0, total):
        return None
    return _weighted_sample(list(options), list(options.values()), 1, rng)[0]


@dataclass
class CaseGenerator:
    """Seeded, deterministic generator of synthetic patients for one knowledge base."""

    kb: KnowledgeBase
    seed: int = 0
    weights: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        if not self.weights:
            self.weights = class_weights(self.kb)
        self._ids = list(self.weights)
        self._cum: list[float] = []
        acc = 0.0
        for cid in self._ids:
            acc += self.weights[cid]
            self._cum.append(acc)
        self._general = generalisations(self.kb)
        self._specific = specialisations(self.kb)
        self._neighbours = duration_neighbours(self.kb)
        background = background_distribution(self.kb)
        self._bg_codes = list(background)
        self._bg_weights = list(background.values())

    def _pick_condition(self) -> Condition:
        pick = self.rng.random() * self._cum[-1]
        lo, hi = 0, len(self._cum) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if self._cum[mid] < pick:
                lo = mid + 1
            else:
                hi = mid
        return self.kb.conditions[self._ids[lo]]

    def case(self, condition: Condition | None = None) -> Case:
        rng = self.rng
        condition = condition or self._pick_condition()
        kinds = {code: self.kb.findings[code].kind for code in condition.findings}
        durations = {c: p for c, p in condition.findings.items() if kinds[c] == "duration"}
        onsets = {c: p for c, p in condition.findings.items() if c in EXCLUSIVE_ONSETS}
        present: list[str] = []
        for code, p in condition.findings.items():
            if code in durations or code in onsets:
                continue
            if rng.random() < p:
                present.append(code)
        if not present:
            others = {c: p for c, p in condition.findings.items() if c not in durations and c not in onsets}
            if others:
                present.append(max(others, key=lambda c: (others[c], c)))
        k = rng.choice(REPORT_COUNTS)
        salience = [condition.findings[c] * KIND_SALIENCE.get(kinds[c], 0.6) for c in present]
        reported: dict[str, bool] = {}
        for code in _weighted_sample(present, salience, k, rng):
            reported[self._imprecise(code, condition)] = True
        duration = _pick_one(durations, rng)
        if duration and duration in self._neighbours and rng.random() < DURATION_SHIFT_RATE:
            duration = rng.choice(self._neighbours[duration])
        if duration and rng.random() < DURATION_REPORT_RATE:
            reported[duration] = True
        onset = _pick_one(onsets, rng)
        if onset and rng.random() < ONSET_REPORT_RATE:
            reported[onset] = True
        if self._bg_codes and rng.random() < NOISE_RATE:
            n_noise = 2 if rng.random() < NOISE_RATE_SECOND / NOISE_RATE else 1
            for code in _weighted_sample(self._bg_codes, self._bg_weights, n_noise + 2, rng):
                if code not in condition.findings and code not in reported and n_noise > 0:
                    reported[code] = True
                    n_noise -= 1
        if self._bg_codes and rng.random() < NEGATIVE_RATE:
            n_negative = rng.choice((1, 1, 2))
            for code in _weighted_sample(self._bg_codes, self._bg_weights, 6, rng):
                if n_negative == 0:
                    break
                if code in reported or code in present:
                    continue
                # a patient denies what they do not have; conditions rarely have these
                if rng.random() < 1.0 - condition.findings.get(code, 0.0):
                    reported[code] = False
                    n_negative -= 1
        return Case(
            condition_id=condition.id,
            age=sample_age(condition, rng),
            sex=sample_sex(condition, rng),
            findings=tuple(reported.items()),
        )

    def _imprecise(self, code: str, condition: Condition) -> str:
        """The finding as the patient puts it: sometimes more general, rarely more specific."""
        roll = self.rng.random()
        if roll < GENERALISE_RATE and code in self._general:
            return self.rng.choice(self._general[code])
        if roll > 1.0 - SPECIALISE_RATE and code in self._specific:
            options = [s for s in self._specific[code] if s not in condition.findings]
            if options:
                return self.rng.choice(options)
        return code

    def cases(self, n: int) -> list[Case]:
        return [self.case() for _ in range(n)]

    def __iter__(self) -> Iterator[Case]:
        while True:
            yield self.case()


def generate_cases(kb: KnowledgeBase, n: int, *, seed: int = 0) -> list[Case]:
    """``n`` synthetic patients, deterministic for a given seed."""
    return CaseGenerator(kb, seed=seed).cases(n)


# --- rendering cases as text (for parser round-trip tests and text-level checks) ------------

_DURATION_TEXT = {
    "duration_minutes": ("for 20 minutes", "since 10 minutes ago"),
    "duration_hours": ("since this morning", "for a few hours", "since last night"),
    "duration_days": ("for 3 days", "since yesterday", "for a couple of days", "since monday"),
    "duration_weeks": ("for 3 weeks", "for a few weeks", "for about a month"),
    "duration_months": ("for months", "for over a year", "for 6 months"),
}


def phrases_for(kb: KnowledgeBase, code: str) -> tuple[str, ...]:
    """Ways a patient may say a finding: its synonyms, else its lay phrase."""
    finding = kb.findings[code]
    if finding.kind == "duration":
        return _DURATION_TEXT.get(code, (finding.lay,))
    return finding.synonyms or (finding.lay,)


def render_text(case: Case, kb: KnowledgeBase, rng: random.Random) -> str:
    """A plain patient sentence for a case: "i have X, Y and Z for 3 days. no A or B"."""
    positives = [rng.choice(phrases_for(kb, code)) for code in case.present if kb.findings[code].kind != "duration"]
    durations = [rng.choice(phrases_for(kb, code)) for code in case.present if kb.findings[code].kind == "duration"]
    negatives = [rng.choice(phrases_for(kb, code)) for code in case.absent]
    parts: list[str] = []
    if positives:
        body = positives[0] if len(positives) == 1 else (", ".join(positives[:-1]) + " and " + positives[-1])
        parts.append(f"i have {body}")
    if durations:
        parts.append(durations[0])
    text = " ".join(parts)
    if negatives:
        body = negatives[0] if len(negatives) == 1 else (", ".join(negatives[:-1]) + " or " + negatives[-1])
        text = f"{text}. no {body}" if text else f"no {body}"
    return text


def with_text(cases: Iterable[Case], kb: KnowledgeBase, *, seed: int = 0) -> list[Case]:
    rng = random.Random(seed)
    return [Case(c.condition_id, c.age, c.sex, c.findings, render_text(c, kb, rng)) for c in cases]
