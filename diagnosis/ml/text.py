"""Free text -> findings: what the patient typed, as KB finding codes, present or absent.

The pipeline, compiled once per knowledge base into a :class:`TextIndex`:

1. normalise (unicode, lowercase, apostrophes dropped so "can't" is "cant") keeping a map back
   to the original characters, so every finding carries the span of text it came from;
2. tokenise and clean each word: slang/abbreviation rewrites, stretched letters ("sooo"), the
   KB's misspellings, a bounded edit-distance-1 correction against the KB's own words (only for
   unknown words of five letters or more, never for common English words), compound splits
   ("stomachache"), then a light stemmer so "vomiting/vomited/vomits" are one word;
3. match the KB's phrases (synonyms, labels, lay phrases, plus generated word orders such as
   "pain in my chest" for "chest pain") as token sequences in a trie, skipping filler words,
   preferring the longest match, passing over a list of adjectives ("red, hot and swollen") or a
   duration inside a phrase; a KB finding's ``denials`` ("plenty of wet nappies") match as that
   finding absent, and a negative inside a phrase ("neck isnt stiff") denies it;
4. durations, sudden onset, temperatures and blood pressures from patterns (``durations.py``); a bare time point
   ("worse today") only when it marks the onset or the text states no other duration;
5. the words around a phrase (``context.py``): a pain trigger ("hurts when i cough") is no
   complaint, a habit ended ("ex smoker") is absent, a habit's own duration ("smoked for 30
   years") or one episode's ("stiff for 10 mins in the morning") is no symptom's, a site-bound
   phrase ("urgency", "hurts to walk", "red and hot") is the finding of the site the text speaks
   of, what relieves a pain ("eases off after walking") is no trigger of it, "the spot" may be a
   place and "all day" an activity's time ("on my feet all day"), "lie awake for hours" is one
   night's wait for sleep, "my cold sore is back" has no back in it, and a known condition the
   patient only fears ("i might have a heart problem") is not reported;
6. negation scopes ("no fever, cough or rash"; "denies chest pain but has..."; "no temp, bit of
   a headache" ends at the mild finding), and a negative contraction denying a phrase that keeps
   its auxiliary ("i wasnt raped");
7. context-bound phrases: "shaking all over" is a fit, but chills beside a fever and a tremor
   beside heavy drinking, a bruise beside an injury is the injury's (a KB finding's
   ``context_bound`` and ``context_findings``); "couldnt breathe" in a panic attack the text says
   has passed is plain shortness of breath, not the warning sign.

Word normalisation and stemming live in ``spelling.py``, the phrase trie and its matching in
``phrases.py``, phrase keys and word-order variants in ``variants.py``, negation scopes in
``negation.py``, the word lists in ``lexicon.py``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from diagnosis.ml import lexicon as lx
from diagnosis.ml.context import (
    aggravates,
    compared,
    ended_habits,
    episode_length,
    feared,
    foreign_durations,
    intended,
    marked_current,
    names_a_place,
    passed_attack,
    relieves,
    returned,
    site_of,
    spent_on_activity,
    waiting_for_sleep,
)
from diagnosis.ml.durations import (
    earliest_point,
    find_ages,
    find_blood_pressures,
    find_duration_candidates,
    find_gestations,
    find_normal_temperatures,
    find_temperatures,
    find_time_points,
    is_frequency,
)
from diagnosis.ml.negation import negated_matches
from diagnosis.ml.phrases import Candidate, PhraseTrie, Token, coordinated, coordinated_parts
from diagnosis.ml.spelling import (
    RUN_RE,
    TOKEN_RE,
    canonical,
    deletes,
    edit_distance,
    normalize,
    osa_distance_at_most_one,
    raw_words,
    rewrite_phrases,
    stem,
)
from diagnosis.ml.variants import SOFT_WORDS

if TYPE_CHECKING:
    from diagnosis.ml.knowledge import KnowledgeBase

__all__ = ["Extracted", "TextIndex", "extract_findings", "get_index", "normalize", "stem"]


@dataclass(frozen=True)
class Extracted:
    """One finding understood in the text."""

    code: str
    present: bool
    span: tuple[int, int]  # character offsets into the original text
    text: str = ""


# --- the compiled index ----------------------------------------------------------------------


class TextIndex:
    """Everything the parser needs for one knowledge base, compiled once."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.phrases = PhraseTrie(kb)
        self.conflicts = self.phrases.conflicts
        self._phrase_words: Counter[str] = Counter()
        self._misspelled: dict[str, str] = {}
        for words, *_ in self.phrases.phrases:
            self._phrase_words.update(w for w in words if w.isalpha())
        self.vocabulary: frozenset[str] = frozenset(self._phrase_words)
        self.stem_vocabulary: frozenset[str] = frozenset(stem(w) for w in self.vocabulary)
        prose: set[str] = set()
        for condition in kb.conditions.values():
            for text in (condition.name, condition.lay_name, condition.explanation, condition.next_steps):
                prose.update(raw_words(text))
        for finding in kb.findings.values():
            prose.update(raw_words(finding.question or ""))
        self.known: frozenset[str] = (
            self.vocabulary
            | lx.COMMON_WORDS
            | lx.STOPWORDS
            | lx.INTENSIFIERS
            | lx.NEGATION_TRIGGERS
            | frozenset(SOFT_WORDS)
            | frozenset(lx.NUMBER_WORDS)
            | frozenset(lx.TOKEN_REWRITES)
            | frozenset(lx.CLAUSE_STARTS)
            | frozenset(w for w in prose if len(w) > 3)
        )
        self._build_misspellings(kb)
        self._fuzzy_keys: dict[str, list[str]] = {}
        for word in sorted(self.vocabulary):
            if len(word) >= 4:
                for key in deletes(word) | {word}:
                    self._fuzzy_keys.setdefault(key, []).append(word)
        self._word_cache: dict[str, tuple[str, ...]] = {}
        self.duration_codes = {
            bucket: f"duration_{bucket}"
            for bucket in ("minutes", "hours", "days", "weeks", "months")
            if f"duration_{bucket}" in kb.findings
        }
        self.fever_codes = tuple(c for c in ("fever", "fever_high") if c in kb.findings)
        self.pressure_code = "high_blood_pressure_reading" if "high_blood_pressure_reading" in kb.findings else None

    # -- building ------------------------------------------------------------------------

    def _build_misspellings(self, kb: KnowledgeBase) -> None:
        """Single-word KB misspellings become word corrections ("hedache" -> "headache").

        A "misspelling" that is itself a real word ("ours" for "hours") is not applied to every
        text; it stays a phrase of its finding only. The misspellings' own words are in the
        vocabulary too (each is also a phrase), so they do not count as real words here."""
        real: set[str] = set()
        for finding in kb.findings.values():
            for text in (*finding.synonyms, finding.label, finding.lay, *finding.denials, *finding.site_bound):
                real.update(raw_words(text))
        typos_only = self.vocabulary - real
        real_stems = {stem(w) for w in real}
        for finding in kb.findings.values():
            targets = set()
            for text in (*finding.synonyms, finding.label, finding.lay):
                targets.update(w for w in raw_words(text) if len(w) > 2 and w.isalpha())
            for text in finding.misspellings:
                words = raw_words(text)
                if len(words) != 1 or not targets:
                    continue
                typo = words[0]
                if (typo in self.known and typo not in typos_only) or stem(typo) in real_stems:
                    continue
                best = min(sorted(targets), key=lambda t: (edit_distance(typo, t), -len(t)))
                # only where the right word alone still means the finding ("hedache" ->
                # "headache"); "apetite" stays a phrase of its own (a bare "appetite" is no loss)
                alone = self.phrases.root.children.get(stem(best))
                if (
                    edit_distance(typo, best) <= max(2, len(best) // 3)
                    and alone is not None
                    and alone.terminal is not None
                    and finding.code in alone.terminal[2]
                ):
                    self._misspelled.setdefault(typo, best)
        # a typo that a longer misspelt phrase holds is corrected only where that phrase,
        # corrected, is a phrase of its finding already ("worst hedache of my life"); else the
        # phrase would stop matching ("watery diarhea" is no plain "watery diarrhea")
        for finding in kb.findings.values():
            for text in finding.misspellings:
                words = raw_words(text)
                if len(words) < 2 or not any(w in self._misspelled for w in words):
                    continue
                if not self.phrases.means(finding.code, [self._misspelled.get(w, w) for w in words]):
                    for w in words:
                        self._misspelled.pop(w, None)

    # -- word cleaning -------------------------------------------------------------------

    def _is_known(self, word: str) -> bool:
        return word in self.known or stem(word) in self.stem_vocabulary or not word.isalpha()

    def _clean_word(self, word: str) -> tuple[str, ...]:
        cached = self._word_cache.get(word)
        if cached is not None:
            return cached
        result = self._clean_word_uncached(word)
        if len(self._word_cache) < 50000:
            self._word_cache[word] = result
        return result

    def _clean_word_uncached(self, word: str) -> tuple[str, ...]:
        rewritten = lx.TOKEN_REWRITES.get(word)
        if rewritten is not None:
            return tuple(canonical(w) for w in rewritten.split())
        word = canonical(word)
        if word in self._misspelled:
            return (self._misspelled[word],)
        if self._is_known(word):
            return (word,)
        if RUN_RE.search(word):
            for candidate in (RUN_RE.sub(r"\1\1", word), RUN_RE.sub(r"\1", word)):
                if self._is_known(candidate):
                    return (candidate,)
            word = RUN_RE.sub(r"\1\1", word)
        if len(word) >= 5:
            corrected = self._fuzzy(word)
            if corrected:
                return (corrected,)
        if len(word) >= 7:
            for cut in range(len(word) - 3, 2, -1):
                left, right = canonical(word[:cut]), canonical(word[cut:])
                if self._is_vocab(left) and self._is_vocab(right):
                    return (left, right)
        return (word,)

    def _is_vocab(self, word: str) -> bool:
        return word in self.vocabulary or stem(word) in self.stem_vocabulary

    def _fuzzy(self, word: str) -> str | None:
        candidates: set[str] = set()
        for key in deletes(word) | {word}:
            candidates.update(self._fuzzy_keys.get(key, ()))
        matches = [c for c in candidates if osa_distance_at_most_one(word, c)]
        if not matches:
            return None
        # deterministic: same first letter, then the KB's most used word, then alphabetical
        return min(matches, key=lambda c: (c[0] != word[0], -self._phrase_words[c], c))

    def tokenize(self, text: str) -> list[Token]:
        norm, origin = normalize(text)
        raw: list[Token] = []
        for match in TOKEN_RE.finditer(norm):
            start = origin[match.start()]
            end = origin[match.end() - 1] + 1
            for word in self._clean_word(match.group()):
                raw.append(Token(word, "", start, end))
        return [
            Token(word, stem(word), raw[first].start, raw[last - 1].end)
            for first, last, word in rewrite_phrases([t.word for t in raw])
        ]

    # -- reading ------------------------------------------------------------------------

    def _resolve_sites(self, words: list[str], matches: list[Candidate]) -> list[Candidate]:
        """A site-bound phrase ("urgency") is the finding of the site the text speaks of around
        it (urinary or bowel urgency), nothing when that is another site, and the first claimant
        when the text names no site."""
        out = []
        for c in matches:
            key = self.phrases.bound_orders.get(c.order)
            if key is None:
                out.append(c)
                continue
            claims = self.phrases.bound[key]
            # a site named inside the match, among the words the phrase passed over ("sore on my
            # ribs when i press"), is the phrase's own, whatever body part the text names around
            # it; the phrase's own words ("turn my head") name no site
            inner = next(
                (
                    code
                    for w in words[c.start : c.end]
                    if stem(w) not in key
                    for code, bound in claims
                    if w in lx.SITE_WORDS[bound]
                ),
                None,
            )
            if inner is not None:
                out.append(c._replace(code=inner))
                continue
            site = site_of(words, c.start, c.end)
            # no site named at all: the finding that claims the phrase first
            if site is None:
                code = claims[0][0]
            else:
                code = next((code for code, bound in claims if site in lx.SITE_WORDS[bound]), None)
            if code is not None:
                out.append(c._replace(code=code))
        return out

    def _resolve_contexts(self, matches: list[Candidate], negated: list[bool], stated: set[str]) -> list[str]:
        """The finding each match means. A phrase other findings claim in context ("shaking all
        over") means the one whose context findings the text states elsewhere (chills beside a
        fever, a tremor beside heavy drinking); its own finding keeps it when the text states
        that finding or its own context findings too ("had a fit", "blacked out"); of several,
        the one with the most urgent red flag, the phrase's own finding on a tie."""
        contextual = self.phrases.contextual
        keys = [self.phrases.keys.get(c.order) for c in matches]
        present = set(stated)
        present.update(
            c.code for c, key, no in zip(matches, keys, negated, strict=True) if not no and key not in contextual
        )
        findings = self.kb.findings
        codes = []
        for c, key in zip(matches, keys, strict=True):
            claimants = [
                code for code in contextual.get(key, ()) if present.intersection(findings[code].context_findings)
            ]
            if claimants and (c.code in present or present.intersection(findings[c.code].context_findings)):
                claimants.insert(0, c.code)
            codes.append(max(claimants, key=self._urgency_of_flag) if claimants else c.code)
        return codes

    def _passed_panic(
        self, words: list[str], matches: list[Candidate], codes: list[str], negated: list[bool]
    ) -> list[str]:
        """ "Couldnt breathe" in a panic attack, or in attacks that keep coming, that the text
        says pass ("thought i was dying, it passed after 15 mins", "keep getting these attacks
        ... lasts 10 mins then goes") was the attack's breathlessness, not a struggle to breathe
        now: read as plain shortness of breath, and "feel like im dying" as the attack's fear.
        Said as now ("now i cant breathe", "still cant breathe") or with no attack or no end to
        it in the text, both stay warning signs."""
        panic, severe, plain = _PASSED_PANIC
        if not {panic, severe, plain} <= self.kb.findings.keys():
            return codes
        told = {code for code, no in zip(codes, negated, strict=True) if not no}
        # attacks that keep coming and going ("keep getting these attacks ... then it goes") are
        # told like a panic attack even when the word "panic" is missing
        attacks = panic in told or _RECURRENT in told
        if not attacks or not told.intersection((severe, _DYING)) or not passed_attack(words):
            return codes
        # "feel like im dying" in such an attack is the attack's fear of dying, not feeling
        # gravely ill now
        readings = {severe: plain, _DYING: panic}
        return [
            readings.get(code, code) if not _CURRENT.intersection(words[max(0, m.start - 2) : m.start]) else code
            for m, code in zip(matches, codes, strict=True)
        ]

    def _stridor_when_upset(self, words: list[str], matches: list[Candidate], codes: list[str]) -> list[str]:
        """Stridor said to come "when he cries", "when shes upset" is the milder croup's noise
        (seen the same day), not stridor at rest (an emergency); "even when calm", "when not
        crying" or no such clause keep the emergency sign."""
        stridor, when_upset = _STRIDOR_WHEN_UPSET
        if when_upset not in self.kb.findings:
            return codes
        return [
            when_upset if code == stridor and _said_when_upset(words, m.start, m.end) else code
            for m, code in zip(matches, codes, strict=True)
        ]

    def _known_condition(self, code: str) -> bool:
        """A condition the patient is known to have ("diabetes_known"), with no warning sign."""
        finding = self.kb.findings[code]
        return finding.kind == "context" and code.endswith(_KNOWN_SUFFIX) and not finding.red_flag

    def _urgency_of_flag(self, code: str) -> int:
        return _FLAG_URGENCY[self.kb.findings[code].red_flag]

    def _kind(self, code: str) -> str:
        return self.kb.findings[code].kind

    def extract(self, text: str) -> list[Extracted]:
        """The findings in ``text``, one per code (present wins over absent), in text order."""
        tokens = self.tokenize(text)
        if not tokens:
            return []
        words = [t.word for t in tokens]
        overlay, points = find_duration_candidates(words, self.duration_codes)
        overlay += [(code, start, end) for code, start, end, _ in points]
        overlay += find_temperatures(words, self.fever_codes)
        overlay += find_blood_pressures(words, self.pressure_code)
        if "pregnant" in self.kb.findings:
            overlay += [("pregnant", start, end) for start, end in find_gestations(words)]
        overlay_taken = set()
        for _, start, end in overlay:
            overlay_taken.update(range(start, end))
        # "hes 3 months" is his age, not "for months"; "worse today" is no duration of its own
        for start, end in find_ages(words) + find_time_points(words):
            overlay_taken.update(range(start, end))
        # a phrase may pass over a list of adjectives, another body part joined by "and" or a
        # duration inside it: "red, hot and swollen", "knees and ankles swollen", "stiff for 10
        # mins in the morning"
        free = coordinated(words) | coordinated_parts(words)
        for code, start, end in overlay:
            if code in self.duration_codes.values():
                free.update(range(start - (start > 0 and words[start - 1] in _DURATION_LEADS), end))
        matches = [
            c
            for c in self.phrases.select(self.phrases.candidates(tokens, frozenset(free)), words)
            if not (
                self.kb.findings[c.code].kind == "duration"
                # "every half hour" is a rate
                and (overlay_taken.intersection(range(c.start, c.end)) or is_frequency(words, c.start))
            )
            # "not drinking fine" is no reassurance
            and not (c.reassures and c.start > 0 and words[c.start - 1] in lx.NEGATION_TRIGGERS)
        ]
        matches = self._resolve_sites(words, matches)
        kind = self._kind
        # "tummy hurts when i cough": what brings a pain on, not a complaint of its own
        # "not eating more than usual": nothing changed
        # "eases off after walking about": what relieves a pain, not what brings it on
        matches = [
            c
            for c in matches
            if not aggravates(words, c.start, c.end)
            and not compared(words, c.start, c.end)
            and not relieves(words, c.start)
            and not names_a_place(words, c.start, c.end)
            and not returned(words, c.start, c.end)
            # "worried i might have a heart problem": a fear, not a known condition (an exposure
            # stays: "may have swallowed some of my tablets" is how an ingestion is told)
            and not (self._known_condition(c.code) and feared(words, c.start))
        ]
        # "trying to quit smoking": an intention, not a habit ended (the habit goes on)
        matches = [
            c._replace(reassures=False) if c.reassures and intended(words, c.start) else c
            for c in matches
            if not (c.reassures and intended(words, c.start) and kind(c.code) != "context")
        ]
        # "smoked for 30 years", "diabetic since 2010", "pack a day": no symptom's duration
        foreign = foreign_durations(words, matches, kind, self.duration_codes.get("months"))
        point_spans = {(start, end) for _, start, end, _ in points}
        durations = [o for o in overlay if o[0] in self.duration_codes.values() and (o[1], o[2]) not in point_spans]
        # "stiff for 10 mins in the morning": one episode's length
        short = {self.duration_codes.get("minutes"), self.duration_codes.get("hours")}
        # "lie awake for hours": one night's wait for sleep
        durations = [
            o
            for o in durations
            if not foreign(*o)
            and not (o[0] in short and episode_length(words, o[2]))
            and not waiting_for_sleep(words, o[1])
        ]
        if not durations:  # no duration stated: an unmarked time point stands in
            # "on my feet all day", "typing all day": when something else happens
            covered = {i for c in matches for i in range(c.start, c.end)}
            durations = earliest_point(
                [p for p in points if not foreign(*p[:3]) and not spent_on_activity(words, p[1], covered)]
            )
        overlay = [o for o in overlay if o[0] not in self.duration_codes.values()] + durations
        # an ex-smoker's "smoked 20 a day" is the past habit, unless marked as now
        ended_codes = ended_habits(matches, kind)
        # "temp 37.4": a fever word beside a reading below a fever is no fever
        normal_readings = find_normal_temperatures(words) if self.fever_codes else []
        negated = [
            # a reassurance is absent whatever scope it sits in ("no vomiting, drinking fine")
            is_negated
            or match.denied
            or match.reassures
            or (match.code in ended_codes and not marked_current(words, match.start, match.end))
            or (match.code in self.fever_codes and any(match.start - 3 <= j < match.end + 3 for j in normal_readings))
            for match, is_negated in zip(matches, negated_matches(words, matches), strict=True)
        ]
        codes = self._resolve_contexts(matches, negated, {code for code, _, _ in overlay})
        codes = self._passed_panic(words, matches, codes, negated)
        codes = self._stridor_when_upset(words, matches, codes)
        results: list[tuple[int, Extracted]] = []
        for match, code, is_negated in zip(matches, codes, negated, strict=True):
            span = (tokens[match.start].start, tokens[match.end - 1].end)
            results.append((match.start, Extracted(code, not is_negated, span, text[span[0] : span[1]])))
        for code, start, end in overlay:
            span = (tokens[start].start, tokens[end - 1].end)
            results.append((start, Extracted(code, True, span, text[span[0] : span[1]])))
        results.sort(key=lambda item: (item[0], item[1].code))
        merged: dict[str, Extracted] = {}
        for _, extracted in results:
            previous = merged.get(extracted.code)
            if previous is None or (extracted.present and not previous.present):
                merged[extracted.code] = extracted
        return sorted(merged.values(), key=lambda e: (e.span[0], e.code))


def _said_when_upset(words: list[str], start: int, end: int) -> bool:
    """Whether a "when"/"if" clause from inside the phrase to a few words after it says the
    child is crying or upset: "noisy breathing in when hes upset", "squeak when he breathes in
    when crying"."""
    for k in range(start, min(len(words), end + _UPSET_REACH)):
        if words[k] not in ("when", "if", "whenever"):
            continue
        for w in words[k + 1 : k + 1 + _UPSET_GAP]:
            if w in lx.NEGATION_TRIGGERS or w in _PUNCTUATION:
                break
            if w in _UPSET_WORDS:
                return True
    return False


_FLAG_URGENCY = {None: 0, "urgent": 1, "emergency": 2}
_STRIDOR_WHEN_UPSET = ("stridor", "stridor_when_upset")
_UPSET_WORDS = frozenset(
    {"cry", "cries", "crying", "cried", "upset", "agitated", "distressed", "screaming", "screams", "coughing", "coughs"}
)
_PUNCTUATION = frozenset({",", ".", ";", "!", "?", ":"})
_UPSET_REACH = 6  # words after the phrase where the clause may start
_UPSET_GAP = 4  # words between "when" and the crying ("when he breathes in when crying" has two clauses)
# (the panic attack, the warning sign it may have held, its reading once the attack has passed)
_PASSED_PANIC = ("panic_attacks", "shortness_of_breath_severe", "shortness_of_breath")
_RECURRENT = "recurrent_episodes"
_DYING = "feeling_very_ill"
_KNOWN_SUFFIX = "_known"
_CURRENT = frozenset({"now", "still", "currently", "right"})
_DURATION_LEADS = frozenset({"for", "about", "around", "roughly", "nearly", "almost"})


# --- public API --------------------------------------------------------------------------------

_INDEXES: dict[int, tuple[KnowledgeBase, TextIndex]] = {}


def get_index(kb: KnowledgeBase) -> TextIndex:
    """The compiled index for ``kb`` (built once per KB object and cached)."""
    cached = _INDEXES.get(id(kb))
    if cached is not None and cached[0] is kb:
        return cached[1]
    index = TextIndex(kb)
    if len(_INDEXES) > 8:
        _INDEXES.clear()
    _INDEXES[id(kb)] = (kb, index)
    return index


def extract_findings(text: str, kb: KnowledgeBase) -> list[Extracted]:
    """The findings understood in ``text``: code, present (False when negated), span."""
    return get_index(kb).extract(text)
