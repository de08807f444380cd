"""How KB phrases are keyed in the trie, and the other word orders patients use for them.

The index drops the soft verbs and fillers below from multi-word phrases ("chest feels tight" =
"chest is tight" = "chest tight"), and adds each phrase's variants: two-word phrases swapped, and
"<site> pain" as "pain in <site>", "<site> hurts", "sore <site>", "<site> is killing me", ...
"""

from __future__ import annotations

__all__ = ["PAIN_PREPOSITIONS", "PAIN_VARIANT_WORDS", "PAIN_WORDS", "PARTICLES", "SOFT_WORDS", "variants"]

PAIN_WORDS = ("pain", "ach", "hurt", "sor", "tender", "painful")  # stems
# Stems only generated in the variants of a "<site> pain" phrase: "my back is killing me", "my
# knee is agony" (a KB phrase with them is too particular to stand for any pain at its site).
PAIN_VARIANT_WORDS = (*PAIN_WORDS, "kill", "agon")
PAIN_PREPOSITIONS = (
    "in",
    "on",
    "at",
    "around",
    "behind",
    "under",
    "of",
    "near",
    "inside",
    "across",
    "over",
    "down",
    "through",
    "between",
    "below",
    "above",
)
# "pain behind my eye" is no "eye pain" (a headache), "pain under my ribs" no "rib pain": only
# these prepositions put the pain in the site itself.
SITE_PREPOSITIONS = ("in", "on", "at", "of", "inside")

# Verbs and fillers dropped from multi-word phrases, in the text and in KB phrases alike
# ("chest feels tight" = "chest is tight" = "chest tight"); kept when dropping them would leave
# a single generic word ("feel sick", "being sick").
SOFT_WORDS = (
    "is",
    "are",
    "was",
    "were",
    "am",
    "be",
    "been",
    "being",
    "feel",
    "feels",
    "felt",
    "feeling",
    "getting",
    "gets",
    "got",
    "keep",
    "keeps",
    "kept",
    "bit",
    "little",
    "lot",
    "lots",
    "of",
    # who it happens to: "dizzy when she stands up" is "dizzy when i stand up"
    "i",
    "he",
    "she",
    "we",
    "they",
)


# Stems that only work in front of their word: "had a baby" is not "baby has had", "no appetite"
# not "appetite, no", "after eating" not "eating after", "20 a day" not "day 20".
UNSWAPPED = frozenset(
    {"had", "hav", "has", "not", "no", "cant", "wont", "dont", "for", "after", "befor", "on", "in", "with", "without"}
)

# A particle that ends a two-word phrase belongs after its word: "back from" (travel) is no "from
# back" ("pain from my lower back"), "done in" no "in done", "worn out" no "out worn".
PARTICLES = frozenset({"from", "in", "out", "up", "down", "off", "on", "over", "to", "at", "into", "through"})


def variants(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Other word orders patients use for the same phrase (ranked below the KB's own)."""
    out: list[tuple[str, ...]] = []
    pain = set(PAIN_WORDS)
    if (
        len(key) == 2
        and key[0] != key[1]
        and key[0] not in UNSWAPPED
        and key[1] not in PARTICLES
        and not any(w[0].isdigit() for w in key)
    ):
        out.append((key[1], key[0]))
    # "<site> pain" <-> "pain in <site>", "<site> hurts", "sore <site>", ...
    site: tuple[str, ...] | None = None
    if 2 <= len(key) <= 3 and key[-1] in pain and not (set(key[:-1]) & pain):
        site = key[:-1]
    elif 2 <= len(key) <= 3 and key[0] in pain and not (set(key[1:]) & pain):
        site = key[1:]
    elif 3 <= len(key) <= 4 and key[0] in pain and key[1] in SITE_PREPOSITIONS:
        site = key[2:]
    if site and not set(site) & set(PAIN_PREPOSITIONS):
        for word in PAIN_VARIANT_WORDS:
            out.append((*site, word))
            out.append((word, *site))
            for prep in PAIN_PREPOSITIONS:
                out.append((word, prep, *site))
    return [v for v in out if v != key]
