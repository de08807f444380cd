"""What the words around a matched phrase say about it: habits, their durations, pain triggers.

Used by the text index (``text.py``) after phrase matching:

- "tummy hurts when i cough": the cough is what brings the pain on, not a complaint;
- "trying to quit smoking": an intention, so the habit goes on;
- "ex smoker, smoked 20 a day": one mention says the habit ended, so the others are its past,
  unless marked as now ("still smoke", "smoking again");
- "smoked for 30 years", "diabetic since 2010", "pack a day", "stopped smoking 5 years ago": how
  long a habit or a condition has lasted (or since it ended) is no symptom's duration. A shorter
  time after a context ("my kids have had it for 2 days") and the time since an event ("fell 3
  days ago") still date the complaint;
- "hurts to walk", "urgency": a site-bound phrase means its finding only when the nearest body
  site named around it is the finding's ("tummy pain, hurts to walk"; "the runs and urgency"),
  never one named after it in a denial ("tender when i press, doesnt go down my arm");
- "stiff for 10 mins in the morning": a short duration of one episode is no symptom's duration;
- "not eating more than usual": a negative phrase compared with before says nothing changed;
- "eases off after walking about": what follows a word of relief relieves the pain;
- "cant drive past the spot": "spot" after a determiner, with no "on my ..." after it, is a place;
- "on my feet all day": "all day" after no complaint is how long an activity lasts;
- "i might have a heart problem": a feared history is not one the patient has;
- "my cold sore is back": something came back, no back is sore;
- "lie awake for hours": how long one night's wait for sleep lasts is no symptom's duration;
- "a panic attack, couldnt breathe, it passed after 15 mins": an attack that has passed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from diagnosis.ml import lexicon as lx
from diagnosis.ml.negation import starts_negation

__all__ = [
    "Match",
    "aggravates",
    "ended_habits",
    "foreign_durations",
    "intended",
    "marked_current",
    "site_of",
    "episode_length",
    "waiting_for_sleep",
    "passed_attack",
    "returned",
    "feared",
    "compared",
    "spent_on_activity",
    "relieves",
    "names_a_place",
]

# words that end the stretch after a habit where its own duration may follow
_LEAD_IN_STOPS = frozenset({",", ".", ";", "!", "?", ":", "and", "but", "with", "then", "now", "also", "plus"})
_LEAD_IN_WORDS = 6
_INTENTIONS = frozenset({"trying", "tried", "try", "want", "wanting", "need", "going", "planning", "should"})
_NOW = frozenset({"still", "again", "currently"})
_AGGRAVATION_FILLERS = frozenset({"i", "or", "and", "it", "you", "even", "me", "my", "more", "lot", "a", "bit"})


class Match(Protocol):
    """A matched phrase: token indexes [start, end), its finding, whether it is a KB denial."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def code(self) -> str: ...

    @property
    def reassures(self) -> bool: ...


def aggravates(words: list[str], start: int, end: int) -> bool:
    """Whether the phrase at ``start:end`` ("cough") is what makes a pain worse: "hurts more
    when i walk or cough", "pain on coughing", "sore to cough"."""
    if not all(w in lx.AGGRAVATING_ACTIONS for w in words[start:end]):
        return False
    k = start - 1
    if k >= 1 and words[k] in ("or", "and", ",") and words[k - 1] not in lx.AGGRAVATION_CUES:
        k -= 2  # over one other action: "when i walk or cough", "when i cough, sneeze or laugh"
    while k >= 0 and words[k] in _AGGRAVATION_FILLERS:
        k -= 1
    if k < 0 or words[k] not in lx.AGGRAVATION_CUES:
        return False
    k -= 1
    while k >= 0 and (words[k] in _AGGRAVATION_FILLERS or words[k] in lx.INTENSIFIERS):
        k -= 1
    return k >= 0 and words[k] in lx.PAIN_OR_WORSE


def intended(words: list[str], start: int) -> bool:
    """An intention, not a fact: "trying to quit smoking", "want to give up smoking"."""
    before = words[max(0, start - 3) : start]
    return any(w in _INTENTIONS for w in before) and (not before or before[-1] in ("to", *_INTENTIONS))


def marked_current(words: list[str], start: int, end: int) -> bool:
    """Whether a habit's mention is marked as now: "still smoke", "smoking again"."""
    return any(w in _NOW for w in words[max(0, start - 2) : start] + words[end : end + 2])


def ended_habits(matches: Sequence[Match], kind: Callable[[str], str]) -> set[str]:
    """The context findings the text says have ended ("ex smoker", "quit smoking")."""
    return {m.code for m in matches if m.reassures and kind(m.code) == "context"}


def foreign_durations(
    words: list[str], matches: Sequence[Match], kind: Callable[[str], str], long_code: str | None
) -> Callable[[str, int, int], bool]:
    """A test of whether a duration (code, first token, end token) belongs to a habit or a
    condition rather than to the complaint: inside a context phrase ("20 a day", "12 hour
    flight"), just after a habit ended, or a long one (``long_code``) just after a context."""
    inside: set[int] = set()
    attached: set[int] = set()
    ended: set[int] = set()
    starts = {m.start for m in matches}
    for m in matches:
        if kind(m.code) == "context":
            inside.update(range(m.start, m.end))
            (ended if m.reassures else attached).update(_lead_in(words, m.end, starts))

    def foreign(code: str, start: int, end: int) -> bool:
        return (
            set(range(start, end)) <= inside
            or start in ended
            or (start in attached and code == long_code and not (end < len(words) and words[end] == "ago"))
        )

    return foreign


def _lead_in(words: list[str], pos: int, starts: set[int]) -> range:
    """Positions a duration attached to a phrase ending at ``pos`` may start at: the same
    clause, before any other finding ("smoked 20 a day for 30 years")."""
    end = pos
    while end < min(len(words), pos + _LEAD_IN_WORDS) and words[end] not in _LEAD_IN_STOPS:
        if end in starts and end > pos:
            break
        end += 1
    return range(pos, end)


def site_of(words: list[str], start: int, end: int) -> str | None:
    """The body part a phrase at ``start:end`` speaks of: the nearest word of ``SITE_WORDS`` or
    ``BODY_WORDS`` before it, else after it up to a negation (what follows "doesnt go down my
    arm" is denied, so no site of the phrase); None when the text names none."""
    after = []
    for k in range(end, len(words)):
        if starts_negation(words, k):
            break
        after.append(k)
    for k in [*range(start - 1, -1, -1), *after]:
        if words[k] in lx.BODY_WORDS or any(words[k] in names for names in lx.SITE_WORDS.values()):
            return words[k]
    return None


def episode_length(words: list[str], end: int) -> bool:
    """Whether a duration ending at ``end`` measures one episode: "for 10 mins in the morning"."""
    return any(tuple(words[end : end + len(frame)]) == frame for frame in lx.EPISODE_FRAMES)


def waiting_for_sleep(words: list[str], start: int) -> bool:
    """Whether a duration starting at ``start`` is one night's wait for sleep: "lie awake for
    hours", "lying there for ages" (the insomnia's own duration is stated apart, if at all)."""
    k = start - 1 if start >= 1 and words[start - 1] == "for" else start
    return any(k >= len(lead) and tuple(words[k - len(lead) : k]) == lead for lead in lx.WAKEFUL_LEADS)


def passed_attack(words: list[str]) -> bool:
    """Whether the text tells of an attack that has passed: "it passed after 15 mins", "lasts
    about 10 mins then goes"."""
    return any(tuple(words[i : i + len(end)]) == end for i in range(len(words)) for end in lx.ATTACK_ENDS)


def returned(words: list[str], start: int, end: int) -> bool:
    """Whether a phrase ending in "back" says something came back, not a back: "my cold sore is
    back", "the rash is back again" (a reordered "back is sore" read from "sore is back")."""
    if end - start < 2 or words[end - 1] != "back" or words[end - 2] not in lx.RETURN_VERBS:
        return False
    return end == len(words) or words[end] in lx.RETURN_FOLLOWERS


def feared(words: list[str], start: int) -> bool:
    """Whether the phrase at ``start`` follows a fear or a guess in its clause: "i might have a
    heart problem", "worried its my heart" (a history the patient does not report having)."""
    # the cue may end inside the phrase: "scared i have diabetes" matched "have diabetes"
    for k in range(min(len(words), start + 2), max(-1, start - lx.HYPOTHESIS_WINDOW - 4), -1):
        if k < start and words[k] in _LEAD_IN_STOPS:
            return False
        if any(k >= len(cue) and tuple(words[k - len(cue) : k]) == cue for cue in lx.HYPOTHESIS_CUES):
            return start - k <= lx.HYPOTHESIS_WINDOW
    return False


def names_a_place(words: list[str], start: int, end: int) -> bool:
    """Whether a one-word phrase ("spot") names a place: "cant drive past the spot", "the spot
    where i hit it", "pain in one spot", but not "a spot on my chin", "the spot is bigger"."""
    if end - start != 1 or words[start] not in lx.PLACE_NOUNS:
        return False
    if start == 0 or words[start - 1] not in lx.PLACE_DETERMINERS:
        return False
    return end == len(words) or words[end] in lx.PLACE_FOLLOWERS


def relieves(words: list[str], start: int) -> bool:
    """Whether a phrase at ``start`` that names a circumstance ("after walking", "when i rest")
    follows a word of relief: "eases off after walking about" says what relieves the pain."""
    if words[start] not in _CIRCUMSTANCES:
        return False
    k = start - 1
    while k >= 0 and (words[k] in lx.RELIEF_FILLERS or words[k] in lx.INTENSIFIERS):
        k -= 1
    return k >= 0 and words[k] in lx.RELIEF_WORDS


_CIRCUMSTANCES = frozenset({"after", "when", "with", "on", "by", "if", "once"})


def spent_on_activity(words: list[str], start: int, covered: set[int]) -> bool:
    """Whether a time point at ``start`` ("all day") says how long an activity goes on, not a
    complaint: "on my feet all day", "worse after typing all day", but "vomiting all day"."""
    if words[start] != "all":
        return False
    k = start - 1
    while k >= 0 and words[k] in lx.INTENSIFIERS:
        k -= 1
    return k >= 0 and k not in covered and words[k].isalpha()


def compared(words: list[str], start: int, end: int) -> bool:
    """A negative phrase followed by a comparison: "not eating more (than usual)". Not a small
    quantity: "cant eat more than a few bites"."""
    if words[start] not in lx.NEGATIVE_PHRASE_STARTS or end >= len(words) or words[end] not in lx.COMPARATIVES:
        return False
    return not (
        words[end + 1 : end + 2] == ["than"]
        and words[end + 2 : end + 3]
        and (words[end + 2] in lx.SMALL_QUANTITIES or words[end + 2].replace(".", "").isdigit())
    )
