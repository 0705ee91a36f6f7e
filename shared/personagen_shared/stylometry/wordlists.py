"""The documented word lists of the measured stylometry.

Every list says where it comes from (a grammar, a style guide, a published list) and what it
misses. All lower case; "'" stands for both the ASCII and the typographic apostrophe (the
counters replace U+2019 before matching).
"""

from __future__ import annotations

from typing import Final


def _words(text: str) -> frozenset[str]:
    """A word list written as white-space-separated words (keeps the lists below compact)."""
    return frozenset(text.split())


# --------------------------------------------------------------------------------------------
# Word lists. All lower case; "'" stands for both the ASCII and the typographic apostrophe.
# --------------------------------------------------------------------------------------------

ABBREVIATIONS: Final = _words(
    # Common English abbreviations that end in a point but rarely end a sentence (style
    # guides' lists of titles, Latin abbreviations and reference labels). "etc." is left out
    # on purpose: it ends sentences more often than not.
    """mr. mrs. ms. dr. prof. st. jr. sr. vs. cf. e.g. i.e. viz. al. inc. ltd. co. corp. fig.
    figs. eq. approx. ca. sec. ch. vol. pp. p. no. u.s. u.k. ed. rev. gen. col. lt."""
)

FIRST_PERSON: Final = _words(
    # Personal, possessive and reflexive pronouns of the first person (any grammar of
    # English, e.g. Huddleston & Pullum 2002, ch. 5). "I" is matched only as a capital (so the
    # enumerator "(i)" and "I/O" are not pronouns) and "us" only in lower case (not "US").
    "i me my mine myself we us our ours ourselves"
)
SECOND_PERSON: Final = _words(
    # Second person, including the archaic forms still met in verse and scripture.
    "you your yours yourself yourselves thou thee thy thine ye"
)
THIRD_PERSON: Final = _words(
    # Third person, including the impersonal "it" family (impersonal prose is third person).
    "he him his himself she her hers herself it its itself they them their theirs themselves"
)

S_CONTRACTION_BASES: Final = _words(
    # Words whose "'s" is a contraction of "is"/"has"/"us" rather than a possessive. A noun's
    # "'s" ("the program's input") is counted as a possessive, which misses "Bob's late":
    # the price of not parsing.
    """it that there here what who where when why how he she let everyone everybody someone
    somebody something nothing nobody this"""
)
CONTRACTION_SUFFIXES: Final = frozenset(
    # Clitic forms of not/are/have/will/would-had/am (Quirk et al. 1985, App. II.7).
    ("n't", "'re", "'ve", "'ll", "'d", "'m")
)

BE_FORMS: Final = _words(
    # Forms of "be" that head a passive ("is taken", "has been taken", "will be taken").
    "am is are was were be been being isn't aren't wasn't weren't"
)
PASSIVE_GAP_WORDS: Final = _words(
    # Words allowed between "be" and the participle ("is not taken", "is being carefully
    # put together"); any word ending in -ly is allowed too.
    """not never also always often still already just now then usually generally all both
    being further thus therefore only even rather widely commonly so"""
)
IRREGULAR_PARTICIPLES: Final = _words(
    # Past participles of common English irregular verbs that do not end in -ed (the
    # standard irregular-verb tables, e.g. Wiktionary "Appendix:English irregular verbs",
    # abridged to verbs in everyday and technical use). Limits: a verb missing here is not
    # seen, and "be" + adjective in -ed ("is tired", "is interested") is counted as passive.
    """arisen awoken beaten become begun bent bet bid bitten bled blown born borne bound
    bred broken brought built burnt burst bought cast caught chosen clung come cost crept cut
    dealt done drawn dreamt driven drunk dug eaten fallen fed felt fled flown flung forbidden
    forecast foreseen forgiven forgotten forsaken found fought frozen given gone gotten ground
    grown held hewn hidden hit hung hurt kept knelt known laid lain led leant learnt left lent
    let lit lost made meant met mistaken misunderstood mown overcome overdone overridden
    overrun overseen overtaken overthrown overwritten paid proven put quit read rebuilt rent
    rewritten rid ridden risen run rung said sawn seen sent set sewn shaken shed shone shorn
    shot shown shrunk shut slain slept slid slit slung smelt sold sought sown spat sped spelt
    spent spilt split spoilt spoken spread sprung spun stolen stood struck strung stuck stung
    stunk strewn striven sung sunk sworn swept swollen swum swung taken taught thought thrown
    thrust told torn trodden undergone understood undertaken undone upheld upset withdrawn
    withheld withstood woken won worn wound woven wept written wrought wrung"""
)
ED_NOT_PARTICIPLES: Final = _words(
    # Common words in -ed that are not participles ("is indeed", "is a need"), so a be-form
    # before them is not a passive.
    """bed bleed breed creed deed embed exceed feed greed heed hundred indeed kindred naked
    need proceed ragged red reed rugged sacred seed shed speed succeed sled shred wed weed
    wicked wretched"""
)

TRANSITION_WORDS: Final = _words(
    # Single-word transitional devices (Purdue OWL, "Transitional Devices", abridged). "And",
    # "but", "so" and "then" are left out: they are too common to tell writers apart.
    """accordingly additionally afterwards alternatively also besides consequently conversely
    finally firstly furthermore hence however incidentally indeed instead lastly likewise
    meanwhile moreover namely nevertheless nonetheless notably otherwise overall secondly
    similarly specifically subsequently thereafter therefore thirdly thus ultimately"""
)
TRANSITION_PHRASES: Final = (
    # Multi-word transitions from the same source.
    "above all",
    "after all",
    "as a consequence",
    "as a result",
    "at the same time",
    "by contrast",
    "even so",
    "first of all",
    "for example",
    "for instance",
    "in addition",
    "in any case",
    "in conclusion",
    "in contrast",
    "in fact",
    "in other words",
    "in particular",
    "in short",
    "in summary",
    "in the same way",
    "on the contrary",
    "on the other hand",
    "that is to say",
    "to begin with",
    "to sum up",
)

HEDGE_WORDS: Final = _words(
    # Hedges from Hyland's metadiscourse list (Hyland 2005, "Metadiscourse", appendix),
    # abridged to single words. Limits: "may"/"could" also express permission/ability
    # ("You may reproduce ...") and are counted regardless.
    """almost apparently appear appeared appears approximately arguably assume assumed
    conceivably could estimate estimated fairly generally indicate indicates largely likely
    may maybe might mostly often perhaps possible possibly presumably probable probably
    relatively roughly seem seemed seemingly seems sometimes somewhat suggest suggested
    suggests supposedly tend tended tends typically unlikely usually"""
)
HEDGE_PHRASES: Final = (
    # Multi-word hedges from the same source.
    "i believe",
    "i guess",
    "i suppose",
    "i think",
    "in general",
    "in most cases",
    "it seems",
    "kind of",
    "more or less",
    "not necessarily",
    "sort of",
    "to some extent",
)

SUBORDINATORS: Final = _words(
    # Subordinating conjunctions and relative pronouns that open a dependent clause on their
    # own (Quirk et al. 1985, 14.11-14.12; Biber et al. 1999, 10.2). "That" and the words
    # in SUBORDINATORS_BEFORE_SUBJECT are counted only in the contexts given below.
    """although because if lest once though unless whenever where whereas wherever whether
    which while whilst who whom whose"""
)
SUBORDINATORS_BEFORE_SUBJECT: Final = _words(
    # Words that are prepositions as often as conjunctions ("after lunch" / "after we ate"):
    # counted only when a subject pronoun or determiner follows.
    "after as before since until till when"
)
SUBORDINATOR_PHRASES: Final = (
    "as if",
    "as long as",
    "as soon as",
    "as though",
    "even if",
    "even though",
    "in order that",
    "now that",
    "provided that",
    "so that",
)
SUBJECT_STARTERS: Final = _words(
    # Words that begin a clause's subject: after "since", "when" ... they mark a clause.
    """i you he she it we they there this these those the a an my your his her its our their
    some any no each every all one"""
)
CLAUSE_STARTERS: Final = SUBJECT_STARTERS | _words(
    # ... and words that begin its verb group: after "that" they mark a complementiser or
    # relative pronoun ("that the ...", "that is ...") rather than a demonstrative before a
    # noun ("that switch"). Limits: "that is why" counts too.
    "is are was were be been has have had will would can could may might must should shall "
    "do does did not"
)

SPEECH_VERBS: Final = _words(
    # Reporting verbs that attach a quotation to a speaker (common reporting verbs of
    # English fiction; Biber et al. 1999, 11.2.1), in the forms narration uses.
    """added agreed answered answers asked asks began called continued cried cries declared
    demanded exclaimed explained groaned inquired enquired insisted laughed muttered murmured
    objected pleaded protested remarked repeated replied replies responded retorted said says
    screamed shouted shouts sighed spoke speaks thought told tells whispered wondered
    yelled"""
)
DRAMA_LABELS_NOT_SPEAKERS: Final = _words(
    # "Label: text" lines that are not a speaker's line in a script.
    "note warning example examples tip important see answer question q a caution summary "
    "definition usage"
)

ENGLISH_FUNCTION_WORDS: Final = _words(
    # The most frequent English function words (top of the word-frequency lists of large
    # English corpora such as the BNC / COCA). In English prose they make up 40-50 % of all
    # words; in other languages written in Latin script they are rare.
    """the of and to a in is that it for was on are as with be by this at or from have not
    but an they which you he his we i she her there their has had been will would can if all
    so what were no one do my your its our them than then when who into out up about more
    some these those also only any may must should could such other each how"""
)
