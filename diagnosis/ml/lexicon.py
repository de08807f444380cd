"""Word lists used by the text parser (``diagnosis.ml.text``).

These are language facts, not medical knowledge: the medical vocabulary lives in the knowledge
base. Everything here is lowercase, apostrophe-free (the parser removes apostrophes, so "can't"
is "cant").
"""

from __future__ import annotations

# Words dropped from phrases when matching, in the text and in the KB's phrases alike, so that
# "pain in my chest" matches "pain in the chest".
STOPWORDS: frozenset[str] = frozenset(
    "a an the my his her their our your its some any".split()
)
# Words skipped in the text when the phrase being matched does not contain them ("my head is
# really pounding" matches "head is pounding"), but kept in KB phrases ("very high fever" is not
# "high fever").
INTENSIFIERS: frozenset[str] = frozenset(
    """really very so quite pretty super extremely just also kinda totally absolutely literally
    real bloody damn freaking fucking constantly always still""".split()
)

# Leading words stripped from KB phrases ("a fever" -> "fever").
LEADING_ARTICLES: frozenset[str] = frozenset({"a", "an", "some", "any"})

# Token rewrites applied to the text and to KB phrases (slang, abbreviations, spelling variants).
TOKEN_REWRITES: dict[str, str] = {
    "cannot": "cant",
    "cudnt": "couldnt",
    "dnt": "dont",
    "didn": "didnt",
    "doesn": "doesnt",
    "haven": "havent",
    "hasn": "hasnt",
    "isn": "isnt",
    "wasn": "wasnt",
    "u": "you",
    "ur": "your",
    "r": "are",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "cos": "because",
    "thru": "through",
    "tho": "though",
    "abt": "about",
    "rly": "really",
    "lil": "little",
    "hrs": "hours",
    "hr": "hour",
    "mins": "minutes",
    "min": "minutes",
    "secs": "seconds",
    "wks": "weeks",
    "wk": "week",
    "mths": "months",
    "mth": "month",
    "mos": "months",
    "yrs": "years",
    "yr": "year",
    "yo": "years",
    "approx": "about",
    "w/o": "without",
    "w/": "with",
    "b4": "before",
    "2day": "today",
    "tmrw": "tomorrow",
    "yday": "yesterday",
    "yest": "yesterday",
    "pls": "please",
    "plz": "please",
    "temp": "temperature",
    "tummy": "tummy",
    "ppl": "people",
    "bcos": "because",
    "smth": "something",
    "sth": "something",
    "idk": "dont know",
    "n": "and",
    "nd": "and",
    "wen": "when",
    "wit": "with",
    "ive": "ive",
}

# Negation: these negate the findings that follow, until a scope breaker.
NEGATION_TRIGGERS: frozenset[str] = frozenset(
    """no not never without denies deny denied denying havent hasnt hadnt didnt dont doesnt
    isnt arent wasnt werent nor neither none nope non""".split()
)
# Two-word triggers: the first word alone does not negate.
NEGATION_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {("negative", "for"), ("free", "of"), ("absence", "of"), ("absent", "of")}
)
# A trigger followed (within two words) by one of these is not a negation: "not sure",
# "doesnt stop", "not getting better", "didnt help", "not feeling well".
PSEUDO_NEGATION_NEXT: frozenset[str] = frozenset(
    """sure certain know knowing idea only matter stop stops stopping stopped away better
    improve improving improved improves help helping helped helps work working worked works
    settle settling settled ease easing eased subside subsiding subsided clear clearing cleared
    well right normal ending end budge budging shift shifting change changing go going
    relieve relieving relieved last""".split()
)
# Words that end a negation scope at once.
SCOPE_BREAKERS: frozenset[str] = frozenset(
    """. ; ! ? : but however although though except yet apart aside whereas""".split()
)
# Words that end a negation scope once it has negated something ("no fever i have a cough",
# "no fever, have a cough", "dont have a rash just itchy").
CLAUSE_STARTS: frozenset[str] = frozenset(
    """i im ive id ill me he hes she shes they theyre we were it its there theres this that
    have has had got gotten getting feel feels feeling felt am is was now then also plus just
    only still since started starting began when after before which who because my""".split()
)
# Words allowed between the items of a negated list without counting against the scope window.
LIST_GLUE: frozenset[str] = frozenset(
    """, and or nor any a an the of or signs sign symptoms symptom history problems issues
    trouble with""".split()
)
# A finding followed by these (within two words, same clause) is reported absent:
# "temperature is normal", "headache has gone".
POST_NEGATIONS: frozenset[str] = frozenset({"normal", "gone", "resolved", "fine", "ok", "okay"})
POST_NEGATION_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {("went", "away"), ("cleared", "up"), ("settled", "down"), ("no", "longer")}
)
# Tokens that a gapped phrase match may not skip over.
GAP_BLOCKERS: frozenset[str] = frozenset(
    """, . ; ! ? : and or but nor with plus then also however although though except""".split()
) | NEGATION_TRIGGERS

NUMBER_WORDS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "couple": 2, "few": 3, "several": 4, "many": 5, "some": 3, "half": 0.5,
}
WEEKDAYS: frozenset[str] = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday weekend mon tues wed thurs fri sat sun"
    .split()
)

# Common English words never "corrected" to a KB word by the edit-distance matcher ("feeling"
# must not become "peeling", "worse" must not become "nurse").
COMMON_WORDS: frozenset[str] = frozenset(
    """
    about above after again against almost alone along already although always among another
    anyone anything anyway anywhere around asked asking aside away awful awake back badly
    based bathroom because become becoming been before began begin being believe below beside
    best better between beyond bigger birth black blue board bodies bored bottom bought brain
    bread break bring brought build built bunch business busy called calling calls came cannot
    careful carry cause caused causes causing certain chair chance change changed changes
    check checked child children choose class clean clear clearly close closed clothes coffee
    colour color comes coming complete completely constant constantly could couldnt count
    couple course cover crazy cream daily dance daughter daughters days dealing death decided
    definitely depends despite didnt different dinner doctor doctors doesnt doing done double
    doubt down dream dress drink drinking drinks drive driving during early earlier easily
    eaten eating eight either else elsewhere empty ended ending enough entire especially even
    evening event events every everybody everyday everyone everything everywhere exactly
    except excuse exercise expect extra family father feeling feelings feels fight figure
    final finally finding fine finish first flight floor follow following food foods forget
    forgot forward found friend friends front fully funny further games garden gave getting
    given gives giving glass going gone gotten great green group grown guess guys half happen
    happened happening happens happy hardly having heard heavy hello helps herself higher
    himself holiday holidays home honestly hope hoping horrible hospital hours house however
    hundred husband idea inside instead issue issues itself just keeping kept kids kind kinds
    knew know known large last lately later laying least leave leaving left less letting level
    light likely limit little lived living longer looked looking looks loose lose losing lost
    lots loud lower lunch mainly makes making many maybe meal meals mean means meant medicine
    medicines meeting might mind minute minutes mixed moment money month months more morning
    most mother moved moving much music myself nearly needed needing needs never night nights
    nobody noise none normal normally nothing notice noticed noticing number often okay older
    once online only onto open order other others otherwise ours outside over own paper parent
    parents party passed past people perhaps period person phone picked piece place plan
    planning play playing please point possible possibly pretty probably problem problems
    properly pulled pushed quick quickly quiet quite rather reading ready real really reason
    recent recently relax remember rest right river road room round running same sat saturday
    saying school second seeing seem seemed seems seen sense seven several shall share shes
    short should shouldnt show showed shower side since sister sitting sleep sleeping slept
    slightly small smaller someone something sometimes somewhere soon sorry sort sounds space
    speak speaking special spend spent sport sports staff stand standing start started
    starting starts state stay stayed staying still stop stopped story straight strange street
    stuff such sunday super supposed sure table taken takes taking talk talked talking taste
    teacher tell telling tells test tested than thank thanks that their them themselves then
    there these they thing things think thinking third those though thought three through
    throughout thursday till time times today together told tomorrow tonight took total
    totally towards tried tries trip trouble true trying tuesday turn turned twice under
    unless until upon upset used useful using usual usually very visit waiting wake waking
    walk walked walking wanted wants warm watch watching water ways wearing weather wedding
    week weekend weekly weeks weird well went were what whatever when where whether which while
    white whole whose wife will wish with within without woke woman women wonder wondering
    word words work worked working works world worried worry worse worst would wouldnt write
    wrong year years yesterday young your yours yourself
    """.split()
)

# Onset phrases recognised even when the KB lists none (mapped to onset_sudden if it exists).
SUDDEN_ONSET_PHRASES: tuple[str, ...] = (
    "suddenly", "sudden", "all of a sudden", "out of nowhere", "out of the blue", "abruptly",
    "came on fast", "came on quickly", "within seconds", "within minutes", "all at once",
    "like a thunderclap", "came on in seconds",
)
GRADUAL_ONSET_PHRASES: tuple[str, ...] = (
    "gradually", "slowly", "crept up", "came on slowly", "bit by bit", "little by little",
    "slowly getting worse", "gradually getting worse",
)

# Words whose stem would merge them with a different complaint ("spotting" is bleeding, "spots"
# a rash; "winded" is breathless, "wind" is gas).
UNSTEMMED: frozenset[str] = frozenset({"spotting", "winded", "pacing", "burning", "boils"})
