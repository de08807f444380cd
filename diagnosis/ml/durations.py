"""Durations and temperatures in tokenised patient text.

Buckets (as the KB's ``duration_*`` findings): minutes (< 1 hour, when the KB has
``duration_minutes``; otherwise hours), hours (< 1 day), days (1-13 days), weeks (2-8 weeks),
months (> 8 weeks). A child's age ("shes 6 weeks", "my baby is 10 days") is neither a duration nor
a pregnancy.
"""

from __future__ import annotations

from diagnosis.ml import lexicon as lx

UNIT_DAYS: dict[str, float] = {
    "second": 1 / 86400,
    "seconds": 1 / 86400,
    "minute": 1 / 1440,
    "minutes": 1 / 1440,
    "hour": 1 / 24,
    "hours": 1 / 24,
    "day": 1,
    "days": 1,
    "night": 1,
    "nights": 1,
    "week": 7,
    "weeks": 7,
    "fortnight": 14,
    "fortnights": 14,
    "month": 30,
    "months": 30,
    "year": 365,
    "years": 365,
}
# A unit followed by one of these is an age or a pregnancy, not a duration.
_NOT_DURATION_NEXT = frozenset(
    {"old", "pregnant", "along", "postpartum", "gestation", "premature", "of", "gestational"}
)
# "2 days of diarrhoea" is how long the diarrhoea has lasted; "6 weeks of pregnancy", "5 days of
# antibiotics" are not a complaint's length.
_OF_NOT_COMPLAINT = frozenset(
    {
        "pregnancy",
        "pregnant",
        "gestation",
        "age",
        "antibiotics",
        "antibiotic",
        "tablets",
        "treatment",
        "medication",
        "medicine",
        "holiday",
        "work",
        "leave",
        "rest",
        "training",
        "it",
        "this",
        "that",
    }
)
# "im 36 weeks", "34 weeks gone": a pregnancy's gestation, not how long something has lasted.
# First person only: "shes 6 weeks" is more often a baby's age than a pregnancy.
_GESTATION_BEFORE = frozenset({"im", "am"})
_GESTATION_AFTER = frozenset({"gone", "pregnant", "pg", "along", "gestation"})
_PREGNANCY_WORDS = frozenset({"pregnant", "pregnancy"})
_PREGNANCY_WINDOW = 8
_NOT_GESTATION_AFTER = frozenset({"old", "late", "postpartum", "post", "after", "into", "since", "ago"})
# "shes 6 weeks", "hes only 3 months", "my baby is 10 days": a child's age (the form asks for
# the age), not how long something has lasted.
_AGE_SUBJECTS = frozenset(
    {"he", "she", "baby", "son", "daughter", "boy", "girl", "child", "kid", "newborn", "infant", "toddler"}
)
_AGE_HEDGES = frozenset({"only", "just", "nearly", "almost", "about", "around", "barely", "now"})
_NOT_AGE_AFTER = frozenset({"into", "post", "after", "since", "ago", "late", "overdue", "early"})
# A quantity preceded by one of these is a frequency ("every 2 hours", "twice a day").
_FREQUENCY_BEFORE = frozenset({"every", "each", "per", "times", "x", "once", "twice"})
_CUES = frozenset(
    {
        "for",
        "past",
        "last",
        "over",
        "since",
        "in",
        "few",
        "couple",
        "several",
        "many",
        "about",
        "around",
        "almost",
        "nearly",
        "the",
    }
)
_FILLER_BEFORE_UNIT = frozenset({"of", "more", "or", "so", "whole", "full", "entire", "long", "plus", "odd"})
_PHRASES: dict[tuple[str, ...], float] = {
    ("today",): 0.3,
    ("tonight",): 0.2,
    ("this", "morning"): 0.3,
    ("this", "afternoon"): 0.2,
    ("this", "evening"): 0.1,
    ("last", "night"): 0.5,
    ("overnight",): 0.5,
    ("earlier", "today"): 0.2,
    ("all", "day"): 0.5,
    ("since", "lunch"): 0.2,
    ("since", "breakfast"): 0.3,
    ("since", "i", "woke", "up"): 0.4,
    ("when", "i", "woke", "up"): 0.4,
    ("yesterday",): 1,
    ("the", "other", "day"): 3,
    ("this", "week"): 3,
    ("last", "week"): 9,
    ("all", "week"): 5,
    ("last", "month"): 30,
    # a span up to now, not a point: "cough the past week", "over the past month"
    ("past", "week"): 7,
    ("past", "fortnight"): 14,
    ("past", "month"): 30,
    ("past", "year"): 365,
    ("this", "month"): 15,
    ("last", "year"): 365,
    ("for", "ages"): 365,
    ("forever",): 365,
    ("for", "ever"): 365,
    ("long", "time"): 180,
    ("all", "my", "life"): 3650,
    ("since", "childhood"): 3650,
    ("since", "i", "was", "a", "kid"): 3650,
    ("since", "i", "was", "a", "child"): 3650,
    ("since", "i", "was", "little"): 3650,
    ("since", "i", "was", "young"): 3650,
    ("for", "years"): 730,
    ("for", "months"): 90,
    ("for", "weeks"): 21,
    ("for", "days"): 3,
    ("for", "hours"): 0.2,
}
_MAX_PHRASE = max(len(p) for p in _PHRASES)
# Phrases that name a point in time, not a length: "worse today", "tested positive today",
# "saw the gp last week", "drowsy all day". One is the onset (a duration) when a cue marks it so ("since this
# morning", "started today", "came on last night"); an unmarked one stands in for the duration
# only when the text states no other (the earliest such point then).
_TIME_POINTS = frozenset(
    {
        ("today",),
        ("tonight",),
        ("this", "morning"),
        ("this", "afternoon"),
        ("this", "evening"),
        ("last", "night"),
        ("overnight",),
        ("earlier", "today"),
        ("yesterday",),
        ("the", "other", "day"),
        ("this", "week"),
        ("last", "week"),
        ("last", "month"),
        ("this", "month"),
        ("last", "year"),
        ("all", "day"),  # when, more than how long: "on the toilet all day yesterday"
        ("all", "week"),
    }
)
_ONSET_CUES = frozenset(
    {
        "since",
        "from",
        "start",
        "starts",
        "started",
        "starting",
        "begin",
        "began",
        "begun",
        "beginning",
        "came",
        "come",
        "comes",
        "coming",
        "woke",
        "waking",
        "onset",
    }
)
_CLAUSE_ENDS = frozenset({",", ".", ";", "!", "?", ":", "but", "and", "then"})
_ONSET_CUE_WINDOW = 5  # words back from a time point to its cue, within the clause


def _quantity(word: str) -> float | None:
    if word in lx.NUMBER_WORDS:
        return float(lx.NUMBER_WORDS[word])
    try:
        return float(word)
    except ValueError:
        return None


def bucket_for_days(days: float, codes: dict[str, str]) -> str | None:
    """The duration finding code for a length in days (None if the KB lacks that bucket)."""
    if days < 1 / 24 and "minutes" in codes:
        bucket = "minutes"
    elif days < 1:
        bucket = "hours"
    elif days < 14:
        bucket = "days"
    elif days <= 56:
        bucket = "weeks"
    else:
        bucket = "months"
    if bucket not in codes and bucket == "minutes":
        bucket = "hours"
    return codes.get(bucket)


def find_ages(words: list[str]) -> list[tuple[int, int]]:
    """(first token, end token) of each age stated as "shes 6 weeks", "hes only 3 months", "my
    baby is 10 days", "my girl 18 months", "my 3 week old" in ``words``: not a duration, not a
    pregnancy."""
    spans: list[tuple[int, int]] = []
    for j, word in enumerate(words):
        if word in UNIT_DAYS and j >= 1 and j + 1 < len(words) and words[j + 1] == "old":
            if _quantity(words[j - 1]) is not None:  # "my 3 week old", "6 months old"
                spans.append((j - 1, j + 2))
            continue
        if word not in UNIT_DAYS or j < 2 or _quantity(words[j - 1]) is None:
            continue
        if j + 1 < len(words) and words[j + 1] in _NOT_AGE_AFTER:
            continue
        k = j - 2
        while k >= 0 and words[k] in _AGE_HEDGES:
            k -= 1
        if k >= 0 and (
            words[k] in ("hes", "shes")
            or (words[k] in _AGE_SUBJECTS and words[k] not in ("he", "she"))  # "my girl 18 months"
            or (words[k] == "is" and k >= 1 and words[k - 1] in _AGE_SUBJECTS)
        ):
            spans.append((j - 1, j + 1))
    return spans


def find_gestations(words: list[str]) -> list[tuple[int, int]]:
    """(first token, end token) of each "im 36 weeks" / "34 weeks gone" in ``words``."""
    spans: list[tuple[int, int]] = []
    for j, word in enumerate(words):
        if word not in ("week", "weeks") or j == 0:
            continue
        quantity = _quantity(words[j - 1])
        if quantity is None or not 4 <= quantity <= 42:
            continue
        after = words[j + 1] if j + 1 < len(words) else ""
        if after in _NOT_GESTATION_AFTER:
            continue
        # "34 weeks gone", "im 36 weeks", "pregnant and bleeding, about 9 weeks"
        if after in _GESTATION_AFTER or (j >= 2 and words[j - 2] in _GESTATION_BEFORE) or _beside_pregnancy(words, j):
            spans.append((j - 1, j + 1))
    return spans


def _beside_pregnancy(words: list[str], j: int) -> bool:
    """Whether "N weeks" at ``j`` is said close to "pregnant" without a duration's cue ("for 2
    weeks", "past 3 weeks", "2 weeks ago"): how far along the pregnancy is."""
    if j >= 2 and words[j - 2] in _CUES - {"about", "around", "nearly", "almost"}:
        return False
    window = words[max(0, j - _PREGNANCY_WINDOW) : j + 1 + _PREGNANCY_WINDOW]
    return any(w in _PREGNANCY_WORDS for w in window)


def find_durations(words: list[str], codes: dict[str, str]) -> list[tuple[str, int, int]]:
    """(code, first token, end token) for each duration in ``words`` (cleaned, unstemmed)."""
    spans, points = find_duration_candidates(words, codes)
    return spans or earliest_point(points)


def earliest_point(points: list[tuple[str, int, int, float]]) -> list[tuple[str, int, int]]:
    """The unmarked time point that stands in for a duration the text does not state: the
    earliest ("felt rough yesterday, today being sick" began yesterday)."""
    if not points:
        return []
    code, start, end, _ = max(points, key=lambda p: (p[3], -p[1]))
    return [(code, start, end)]


def find_duration_candidates(
    words: list[str], codes: dict[str, str]
) -> tuple[list[tuple[str, int, int]], list[tuple[str, int, int, float]]]:
    """The durations in ``words`` (cleaned, unstemmed) as (code, first token, end token), and
    apart from them the unmarked time points ("worse today") with their days ago."""
    if not codes:
        return [], []
    found: list[tuple[str, int, int]] = []
    taken: set[int] = {i for start, end in find_gestations(words) + find_ages(words) for i in range(start, end)}
    n = len(words)
    # fixed phrases first (longest first)
    points: list[tuple[str, int, int, float]] = []  # unmarked time points
    i = 0
    while i < n:
        for length in range(min(_MAX_PHRASE, n - i), 0, -1):
            phrase = tuple(words[i : i + length])
            days = _PHRASES.get(phrase)
            if days is not None:
                code = bucket_for_days(days, codes)
                if code:
                    if phrase in _TIME_POINTS and not _onset_marked(words, i):
                        points.append((code, i, i + length, days))
                    else:
                        found.append((code, i, i + length))
                    taken.update(range(i, i + length))
                i += length - 1
                break
        i += 1
    for j, word in enumerate(words):
        if j in taken:
            continue
        if (
            word in lx.WEEKDAYS
            and j > 0
            and words[j - 1] in {"since", "on", "last", "from", "over", "at", "till", "started", "began", "begun"}
        ):
            code = bucket_for_days(3, codes)
            if code:
                found.append((code, j - 1, j + 1))
                taken.update((j - 1, j))
            continue
        if word == "since" and j + 1 < n and words[j + 1].isdigit() and len(words[j + 1]) == 4:
            code = bucket_for_days(365, codes)  # "since 2019"
            if code:
                found.append((code, j, j + 2))
            continue
        unit_days = UNIT_DAYS.get(word)
        if unit_days is None:
            continue
        if j + 1 < n and words[j + 1] in _NOT_DURATION_NEXT:
            # "2 days of diarrhoea", but not "6 weeks of pregnancy" or "5 days of antibiotics"
            k = j + 2
            while k < n and words[k] in lx.STOPWORDS:
                k += 1
            if words[j + 1] != "of" or k >= n or not words[k].isalpha() or words[k] in _OF_NOT_COMPLAINT:
                continue
        # walk back over fillers to the quantity ("a couple of days", "2 or 3 weeks")
        k = j - 1
        while k >= 0 and words[k] in _FILLER_BEFORE_UNIT:
            k -= 1
        quantity = _quantity(words[k]) if k >= 0 else None
        first = j
        if quantity is not None:
            first = k
            if k >= 1 and words[k] in ("couple", "few") and words[k - 1] in ("a", "the"):
                first = k - 1
            if k >= 1 and words[k] in ("a", "an") and words[k - 1] == "half":  # "half an hour"
                quantity, first = 0.5, k - 1
            if first >= 1 and words[first - 1] in _FREQUENCY_BEFORE:
                continue
            if words[k] in ("a", "an") and k >= 1 and words[k - 1] in _FREQUENCY_BEFORE:
                continue
            if words[k] in ("a", "an") and _counts_before(words, k):
                continue  # a rate: "20 a day", "4 pints a night", "3 headaches a week"
            if words[k] == "some" and word in ("days", "nights") and (k == 0 or words[k - 1] not in _CUES):
                continue  # how often: "loose poo some days", not "for some days"
        elif word.endswith("s") and k >= 0 and words[k] in _CUES:
            quantity = 3.0
            first = k
        elif word in ("fortnight",):
            quantity = 1.0
        else:
            continue
        if quantity > 1000:
            continue
        code = bucket_for_days(quantity * unit_days, codes)
        if code:
            found.append((code, first, j + 1))
    return found, points


def _counts_before(words: list[str], k: int) -> bool:
    """Whether a count ("20", "4 pints") ends just before the "a" at ``k``."""
    for x in (k - 1, k - 2):
        if x < 0:
            return False
        word = words[x]
        if word.replace(".", "", 1).isdigit() or (word in lx.NUMBER_WORDS and lx.NUMBER_WORDS[word] >= 2):
            return x == k - 1 or words[k - 1].isalpha()
    return False


def is_frequency(words: list[str], start: int) -> bool:
    """Whether the quantity starting at ``start`` is a rate: "every half hour", "twice a day"."""
    return start >= 1 and words[start - 1] in _FREQUENCY_BEFORE


def find_time_points(words: list[str]) -> list[tuple[int, int]]:
    """(first token, end token) of each phrase naming a point in time ("today", "last night"),
    whether or not it was read as a duration."""
    spans: list[tuple[int, int]] = []
    for i in range(len(words)):
        for length in range(min(_MAX_PHRASE, len(words) - i), 0, -1):
            if tuple(words[i : i + length]) in _TIME_POINTS:
                spans.append((i, i + length))
                break
    return spans


def _onset_marked(words: list[str], start: int) -> bool:
    """Whether a cue in the same clause makes the time point at ``start`` an onset: "since
    today", "it started this morning", "came on last night", "woke up with it today"."""
    for k in range(start - 1, max(-1, start - 1 - _ONSET_CUE_WINDOW), -1):
        if words[k] in _CLAUSE_ENDS:
            return False
        if words[k] in _ONSET_CUES:
            return True
    return False


_PRESSURE_WORDS = frozenset({"bp", "pressure", "pressures"})


def find_blood_pressures(words: list[str], code: str | None) -> list[tuple[str, int, int]]:
    """'bp is 190/110', 'blood pressure 165 over 95' -> a raised reading (140/90 or more)."""
    if code is None:
        return []
    found: list[tuple[str, int, int]] = []
    for j, word in enumerate(words):
        if not word.isdigit() or not any(w in _PRESSURE_WORDS for w in words[max(0, j - 3) : j]):
            continue
        if j > 0 and words[j - 1].isdigit():
            continue  # the diastolic of a reading already seen
        systolic = int(word)
        k = j + 1 + (j + 1 < len(words) and words[j + 1] == "over")
        diastolic = int(words[k]) if k < len(words) and words[k].isdigit() else 0
        if 70 <= systolic <= 300 and (systolic >= 140 or 90 <= diastolic <= 200):
            found.append((code, j, k + 1 if diastolic else j + 1))
    return found


def find_temperatures(words: list[str], fever_codes: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """'temp 38.5', '102 fever', '39 degrees' -> fever (and fever_high at 39 C / 102.2 F)."""
    if not fever_codes:
        return []
    found: list[tuple[str, int, int]] = []
    for j, value in _readings(words):
        if 37.8 <= value <= 43:
            high = value >= 39
        elif 100 <= value <= 108:
            high = value >= 102.2
        else:
            continue
        code = "fever_high" if high and "fever_high" in fever_codes else fever_codes[0]
        found.append((code, j, j + 1))
        if code == "fever_high" and "fever" in fever_codes:
            found.append(("fever", j, j + 1))
    return found


_TEMPERATURE_WORDS = frozenset(
    {"temperature", "temp", "fever", "thermometer", "degrees", "degree", "c", "f", "celsius", "fahrenheit", "febrile"}
)


def _readings(words: list[str]) -> list[tuple[int, float]]:
    """(token, value) of each number said of a temperature (a temperature word within three
    words before it or two after)."""
    found = []
    for j, word in enumerate(words):
        try:
            value = float(word)
        except ValueError:
            continue
        if _TEMPERATURE_WORDS.intersection(words[max(0, j - 3) : j] + words[j + 1 : j + 3]):
            found.append((j, value))
    return found


def find_normal_temperatures(words: list[str]) -> list[int]:
    """Tokens of temperature readings below a fever: "temp 37.4", "temperature was 36.9",
    "98.6 f". The word "temp" beside one is no fever."""
    return [j for j, value in _readings(words) if 35 <= value < 37.8 or 95 <= value < 100]
