"""The knowledge base's phrases as a trie of stems, and matching them against a tokenised text.

Used by the text index (``text.py``), which cleans the words first. Each KB finding gives its
synonyms, label, lay phrase and misspellings (plus the generated word orders of ``variants.py``);
its ``denials`` ("plenty of wet nappies") are phrases that say it is absent. A text is matched
as token sequences, skipping filler words and at most one unknown word, and a negative inside a
phrase ("neck isnt stiff") denies it. Where matches compete for the same words the longest wins.

A synonym several findings list as ``shared`` ("was raped": a trauma and a possible HIV
exposure) reads as all of them. Other phrases claimed by two findings, or two phrases that come to
the same key ("he cant sit still", "cant sit still"), are conflicts the lint reports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from diagnosis.ml import lexicon as lx
from diagnosis.ml.spelling import raw_words, stem
from diagnosis.ml.variants import PARTICLES, SOFT_WORDS, variants

if TYPE_CHECKING:
    from diagnosis.ml.knowledge import KnowledgeBase

__all__ = ["ENGLISH_WORDS", "Candidate", "PhraseTrie", "Token", "coordinated", "coordinated_parts"]

MAX_GAP = 1  # unknown words a multi-word phrase may skip (a gapped match ranks lower)
# Rank of a phrase: lower wins when two findings claim the same words.
RANK_KB, RANK_MISSPELLING, RANK_NAME, RANK_BUILTIN, RANK_VARIANT = 0, 0, 1, 1, 2

# Everyday words: a one-word KB "misspelling" that is one of these ("ours") is no phrase.
ENGLISH_WORDS = (
    lx.COMMON_WORDS
    | lx.STOPWORDS
    | lx.INTENSIFIERS
    | lx.NEGATION_TRIGGERS
    | lx.CLAUSE_STARTS
    | frozenset(lx.NUMBER_WORDS)
    | frozenset(lx.TOKEN_REWRITES)
)
_COMPOUND_JOINERS = frozenset({"and", "with", ","})
_NEGATED_AUXILIARY_STEMS = {word: stem(auxiliary) for word, auxiliary in lx.NEGATED_AUXILIARIES.items()}
_NO_STEPS: tuple[tuple[_Node, bool], ...] = ()
_NOT = stem("not")


class Token(NamedTuple):
    word: str  # cleaned word (after rewrites and corrections), before stemming
    stem: str
    start: int  # character offsets into the original text
    end: int


class Candidate(NamedTuple):
    n_words: int
    gaps: int
    rank: int
    order: int
    start: int  # token index
    end: int  # token index, exclusive
    code: str
    denied: bool = False  # a negative inside the phrase: "neck isnt stiff", "chest doesnt hurt"
    reassures: bool = False  # a KB denial: "plenty of wet nappies" says dehydration is absent
    gap_at: int = -1  # the unknown word the phrase skipped (token index), which it does not own


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    # (rank, order, codes) of the phrase ending here; the best one wins (several codes: a phrase
    # the KB lists under several findings)
    terminal: tuple[int, int, tuple[str, ...]] | None = None


class PhraseTrie:
    """The KB's phrases, keyed by stems, compiled once per knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.root = _Node()
        self.conflicts: list[str] = []
        self.soft = frozenset(stem(w) for w in SOFT_WORDS)
        self.skippable = lx.STOPWORDS | lx.INTENSIFIERS | lx.SIDES | self.soft
        self._denial_orders: set[int] = set()
        # site-bound phrases: their order -> key, and key -> the findings (code, site) claiming it
        self.bound_orders: dict[int, tuple[str, ...]] = {}
        self.bound: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        self._owners: dict[tuple[str, ...], tuple[int, int, str]] = {}
        # a shared synonym's key -> (its words, its order): the same words shared by another
        # finding join that phrase
        self._shared: dict[tuple[str, ...], tuple[tuple[str, ...], int]] = {}
        self._shared_orders: set[int] = set()
        # a phrase's key -> the findings it means in context, in KB order ("shaking all over":
        # chills, tremor); the phrase's own finding is its reading without that context
        self.contextual: dict[tuple[str, ...], list[str]] = {}
        self.keys: dict[int, tuple[str, ...]] = {}  # order -> key of the phrase
        # (words, rank, order, code) of every phrase, before keying
        self.phrases = self._collect_phrases(kb)
        for words, rank, order, code in self.phrases:
            self._add_phrase(words, rank, order, code)

    # -- building ------------------------------------------------------------------------

    def _collect_phrases(self, kb: KnowledgeBase) -> list[tuple[list[str], int, int, str]]:
        phrases: list[tuple[list[str], int, int, str]] = []
        order = 0
        for finding in kb.findings.values():
            texts = [(text, RANK_KB) for text in finding.synonyms]
            if finding.kind != "duration":
                # the clinical label and the lay phrase; "Facial flushing / redness" also gives
                # its multi-word parts (a lone "redness" would fire on any red thing)
                for name in (finding.label, finding.lay):
                    name = re.sub(r"\([^)]*\)", " ", name)
                    pieces = re.split(r"\s+/\s+", name)
                    texts.append((" ".join(pieces), RANK_NAME))
                    if len(pieces) > 1:
                        texts.extend((p, RANK_NAME) for p in pieces if len(p.split()) > 1)
            for text, rank in texts:
                words = raw_words(text)
                while words and words[0] in lx.LEADING_ARTICLES and len(words) > 1:
                    if len(words) == 2 and words[1] in lx.ARTICLE_NOUNS:
                        break  # "a fit", not "fit and well"
                    words = words[1:]
                if words:
                    phrases.append((words, rank, order, finding.code))
                    if rank == RANK_KB and text in finding.shared:
                        self._shared_orders.add(order)
                    order += 1
            for text in finding.misspellings:
                words = raw_words(text)
                # a one-word misspelling is also a phrase of its own ("hemroids", "diaria" are too
                # far from any KB word to be corrected), unless it is an English word ("ours")
                if len(words) > 1 or (words and words[0] not in ENGLISH_WORDS):
                    phrases.append((words, RANK_MISSPELLING, order, finding.code))
                    order += 1
        for finding in kb.findings.values():
            for text in finding.denials:
                words = raw_words(text)
                if words:
                    phrases.append((words, RANK_KB, order, finding.code))
                    self._denial_orders.add(order)
                    order += 1
        for finding in kb.findings.values():
            for text in finding.site_bound:
                words = raw_words(text)
                if words and finding.site:
                    phrases.append((words, RANK_KB, order, finding.code))
                    key = self._key(words)
                    self.bound_orders[order] = key
                    self.bound.setdefault(key, []).append((finding.code, finding.site))
                    order += 1
        for finding in kb.findings.values():
            for text in finding.context_bound:
                key = self._key(raw_words(text))
                if key and finding.code not in self.contextual.setdefault(key, []):
                    self.contextual[key].append(finding.code)
        builtin = [("onset_sudden", lx.SUDDEN_ONSET_PHRASES), ("onset_gradual", lx.GRADUAL_ONSET_PHRASES)]
        for code, texts in builtin:
            if code in kb.findings:
                for text in texts:
                    phrases.append((raw_words(text), RANK_BUILTIN, order, code))
                    order += 1
        return phrases

    def means(self, code: str, words: list[str]) -> bool:
        """Whether ``words`` are a phrase of finding ``code`` (as keyed in the trie)."""
        node = self._node(self._key(words))
        return node is not None and node.terminal is not None and code in node.terminal[2]

    def _key(self, words: list[str]) -> tuple[str, ...]:
        stems = [stem(w) for w in words]
        kept = tuple(s for w, s in zip(words, stems, strict=True) if s not in self.soft and w not in lx.STOPWORDS)
        if len(kept) >= 2 or (len(kept) == 1 and len(stems) == 1):
            return kept
        if not kept:
            return tuple(stems)
        # keep the filler words when dropping them would leave one overly generic word
        # ("the runs", "feel sick", "being sick")
        return tuple(stems)

    def _add_phrase(self, words: list[str], rank: int, order: int, code: str) -> None:
        if order in self._denial_orders:
            # a reassurance keeps its quantity words, soft or not ("lots of wet nappies" is not
            # just "wet nappies"), and has no other word orders
            key = tuple(stem(w) for w in words if w not in lx.STOPWORDS)
            if key:
                self._insert(key, rank, order, code)
            return
        key = self._key(words)
        if not key:
            return
        self.keys[order] = key
        if order in self._shared_orders:
            first = self._shared.setdefault(key, (tuple(words), order))
            if first[0] == tuple(words) and first[1] != order:
                self._share(key, first[1], code)
                return
        self._insert(key, rank, order, code)
        if self.kb.findings[code].kind == "duration":
            return  # "for days" is not "days for" ("20 a day for 30 years")
        for variant in variants(key):
            self._insert(variant, RANK_VARIANT, order, code)

    def _share(self, key: tuple[str, ...], order: int, code: str) -> None:
        """``code`` also claims the phrase at ``order`` (and its word orders, where that phrase
        holds them): the KB lists the same words under both findings."""
        for k in [key, *variants(key)]:
            node = self._node(k)
            if node is not None and node.terminal is not None and node.terminal[1] == order:
                rank, _, codes = node.terminal
                if code not in codes:
                    node.terminal = (rank, order, (*codes, code))

    def _node(self, key: tuple[str, ...]) -> _Node | None:
        node: _Node | None = self.root
        for word in key:
            node = node.children.get(word) if node is not None else None
        return node

    def _insert(self, key: tuple[str, ...], rank: int, order: int, code: str) -> None:
        previous = self._owners.get(key)
        if previous is not None:
            shared = order in self.bound_orders and previous[1] in self.bound_orders
            if previous[2] != code and previous[0] == rank == RANK_KB and not shared:
                self.conflicts.append(f"phrase {' '.join(key)!r} is claimed by {previous[2]!r} and {code!r}")
            if previous[:2] <= (rank, order):
                return
        self._owners[key] = (rank, order, code)
        node = self.root
        for word in key:
            node = node.children.setdefault(word, _Node())
        node.terminal = (rank, order, (code,))

    # -- matching ------------------------------------------------------------------------

    def candidates(self, tokens: list[Token], free: frozenset[int] = frozenset()) -> list[Candidate]:
        """Every phrase the tokens hold, overlapping or not. A phrase may pass over the tokens at
        ``free`` positions at no cost: a list of adjectives ("red, hot and swollen") or a
        duration ("stiff for 10 mins in the morning") inside it."""
        found: list[Candidate] = []
        n = len(tokens)
        for start in range(n):
            # depth-first walk: (node, next token index, words matched, where a gap was used (-1:
            # none), whether the last token was skipped: a match never ends on a skipped word,
            # whether a negative predicate was skipped: "neck isnt stiff" is neck stiffness, denied)
            steps = self._steps(self.root, tokens[start])
            stack = [(child, start + 1, 1, -1, False, denied) for child, denied in steps]
            if not stack:
                continue
            # "no [problems] peeing" is not "no pee": a phrase starting with its own negative
            # ("no wet nappies", "cant breathe") must match without skipping unknown words
            max_gaps = 0 if tokens[start].word in lx.NEGATIVE_PHRASE_STARTS else MAX_GAP
            while stack:
                node, pos, matched, gap_at, skipped, denied = stack.pop()
                gaps = int(gap_at >= 0)
                # an unknown word between a verb and its particle is the verb's object: "done [a
                # poo] in", "done [my back] in", "worn [my knees] out" are no "done in" or "worn
                # out" (tired); "knock [myself] out" still is
                particle_object = (
                    gap_at >= 0
                    and matched == 2
                    and tokens[pos - 1].stem in PARTICLES
                    and tokens[gap_at].word not in lx.REFLEXIVES
                )
                if node.terminal is not None and not skipped and not particle_object:
                    rank, order, codes = node.terminal
                    reassures = order in self._denial_orders
                    if not (reassures and denied):  # "wet nappies arent normal": no reading
                        for code in codes:
                            found.append(
                                Candidate(matched, gaps, rank, order, start, pos, code, denied, reassures, gap_at)
                            )
                if pos >= n or not node.children:
                    continue
                token = tokens[pos]
                for child, denies in self._steps(node, token):
                    if not (denies and denied):
                        stack.append((child, pos + 1, matched + 1, gap_at, False, denied or denies))
                if pos in free or token.stem in self.skippable or token.word in self.skippable:
                    stack.append((node, pos + 1, matched, gap_at, True, denied))
                elif not denied and _denies_predicate(tokens, pos):
                    stack.append((node, pos + 1, matched, gap_at, True, True))
                elif gaps < max_gaps and token.word not in lx.GAP_BLOCKERS and token.word.isalpha():
                    stack.append((node, pos + 1, matched, pos, True, denied))
        return found

    @staticmethod
    def _steps(node: _Node, token: Token) -> tuple[tuple[_Node, bool], ...]:
        """The nodes ``token`` leads to from ``node``, each with whether it denies the phrase: its
        own word (a negative contraction also stands for "not": "hasnt had a poo"), and for a
        negative contraction the auxiliary a phrase keeps ("wasnt" is a denied "was": "i wasnt
        raped")."""
        child = node.children.get(token.stem)
        if token.word not in lx.NOT_CONTRACTIONS:
            return _NO_STEPS if child is None else ((child, False),)
        steps = [] if child is None else [(child, False)]
        if (as_not := node.children.get(_NOT)) is not None:
            steps.append((as_not, False))  # "hasnt had a poo" is "not had a poo"
        auxiliary = _NEGATED_AUXILIARY_STEMS.get(token.word)
        if auxiliary is not None and (denied := node.children.get(auxiliary)) is not None:
            steps.append((denied, True))
        return tuple(steps)

    @staticmethod
    def select(candidates: list[Candidate], words: list[str]) -> list[Candidate]:
        """Longest matches first. A later match may share words with an earlier one when it
        adds words of its own ("red itchy eyes" is red eyes and itchy eyes), or when it lies
        inside a compound phrase joined by "and"/"with" ("knees ache and creak"). A phrase shared
        by several findings ("was raped") gives each of them on the same words, and a one-word
        phrase a longer one skipped over is read too."""
        owners: list[list[Candidate]] = [[] for _ in words]
        chosen: list[Candidate] = []
        codes: set[str] = set()
        ordered = sorted(candidates, key=lambda c: (-c.n_words, c.gaps, c.rank, c.end - c.start, c.start, c.order))
        for cand in ordered:
            span = range(cand.start, cand.end)
            if any(owners[i] for i in span):
                if cand.code in codes:
                    continue
                if any(c[3:6] == cand[3:6] for c in owners[cand.start]):
                    pass  # the same phrase, shared with a finding already chosen
                elif all(owners[i] for i in span):
                    covering = [c for i in span for c in owners[i]]
                    if not all(_COMPOUND_JOINERS.intersection(words[c.start : c.end]) for c in covering):
                        continue
                elif owners[cand.start] and owners[cand.end - 1]:
                    continue  # squeezed between two matches: no word of its own at either end
            for i in span:
                owners[i].append(cand)
            chosen.append(cand)
            codes.add(cand.code)
        # the unknown word a phrase skipped is still read when it is a phrase of its own:
        # "itchy [welts] all over" is itching and hives, "toe [suddenly] red" a sudden onset
        skipped = {c.gap_at for c in chosen if c.gap_at >= 0}
        for cand in ordered:
            if (
                cand.start in skipped
                and cand.end == cand.start + 1
                and cand.code not in codes
                and all(c.gap_at == cand.start for c in owners[cand.start])
            ):
                owners[cand.start].append(cand)
                chosen.append(cand)
                codes.add(cand.code)
        chosen.sort(key=lambda c: c.start)
        return chosen


def coordinated(words: list[str]) -> set[int]:
    """Positions inside lists of adjectives ("red, hot, swollen", "itchy, red and flaky"): the
    commas and "and"s between them, and each adjective, which applies to the same thing as the
    others ("itchy, red and flaky patches" are itchy red patches and flaky red patches)."""
    out: set[int] = set()
    i, n = 0, len(words)
    while i < n:
        if words[i] not in lx.DESCRIPTORS:
            i += 1
            continue
        run, j = [i], i + 1
        while j < n:
            k = j
            while k < n and words[k] in _LIST_SEPARATORS:
                k += 1
            if k == j or k - j > 2 or k >= n or words[k] not in lx.DESCRIPTORS:
                break
            noun = k + 1
            while noun < n and words[noun] in lx.DESCRIPTORS:
                noun += 1
            if noun < n and words[noun] in lx.COLOURED_NOUNS:
                break  # "eye red, yellow gunk", "gritty, sticky yellow stuff": the yellow is the stuff's
            run.extend(range(j, k + 1))
            j = k + 1
        if len(run) > 1:
            out.update(run)
        i = j
    return out


_LIST_SEPARATORS = frozenset({",", "and"})
_PART_DETERMINERS = frozenset({"my", "his", "her", "the", "both", "their"})


def coordinated_parts(words: list[str]) -> set[int]:
    """Positions of "and <body part>" after a body part: "lips and tongue are swollen" is about
    the lips as well as the tongue, "knees and ankles swollen" about both."""
    out: set[int] = set()
    for i in range(len(words) - 2):
        if words[i] not in lx.COORDINABLE_PARTS or words[i + 1] != "and":
            continue
        j = i + 2
        while j < len(words) and words[j] in _PART_DETERMINERS:
            j += 1
        if j < len(words) and words[j] in lx.COORDINABLE_PARTS:
            out.update(range(i + 1, j + 1))
    return out


def _denies_predicate(tokens: list[Token], pos: int) -> bool:
    """Whether the word at ``pos``, inside a phrase, denies what follows it: "neck isnt stiff",
    "chest does not hurt". Not "cough isnt getting better", "pain doesnt go away"."""
    if tokens[pos].word not in lx.PREDICATE_NEGATIONS:
        return False
    following = tokens[pos + 1 : pos + 3]
    return not any(t.word in lx.PSEUDO_NEGATION_NEXT for t in following)
