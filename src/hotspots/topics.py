"""What residents' concerns are about: a keyword lexicon you can read, and an optional model.

Each concern is classified into :data:`TOPICS` by a documented keyword lexicon
(:data:`LEXICON`): every term is a small regular expression matched case-insensitively
between word boundaries, so ``"lightning"`` or ``"delightful"`` never count as lighting.
Matching runs on whole columns at once (pandas ``.str`` methods), never row by row.

Negation rule
-------------
A term is cancelled when a negation cue (:data:`NEGATION_CUES`: *not, never, no longer,
isn't, don't, …*) stands at most three tokens before it (zero to two words in between)
within the same clause; punctuation (``, . ; : ! ?``), line breaks and the words *and, but,
because, while, though* end a clause. Two deliberate exceptions keep complaints about a
*lack* of something: the word *no* (and *without*) is never a cue, because in a complaint
"no street lights", "no lighting" or "no visibility" names what is missing, and "no
dumping" names a sign, both still about the topic; and a cue followed directly by a degree
word (:data:`NOT_NEGATING`: *enough, properly, well, very, lit, …*) is not a negation, so
"not enough lighting" and "the path is not lit" stay lighting. Everything else is
cancelled: "the light is not out", "isn't broken", "no longer out" are not outages, "it is
not dark" is not lighting.

Outage reports (:data:`OUTAGE_PATTERNS`) are a light noun followed within six words by a
failure word ("street light on the corner is out", "lights are off", "bulb out", "lamp
broken", "light not working", a category such as "Streetlight Repair Investigation"), or a
failure word just before the noun ("broken street lamp"). Failure words are negated by the
same rule, and a report that says the light has been dealt with (:data:`RESOLVED_PATTERNS`:
"has been fixed", "was repaired", "working again") is not an outage report. Traffic
lights, brake lights and similar (:data:`EXCLUSIONS`) are masked out first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from itertools import compress
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from hotspots import _columns as C
from hotspots._errors import ValidationError, raise_problems

__all__ = [
    "EXCLUSIONS",
    "LEXICON",
    "NEGATION_CUES",
    "NOT_NEGATING",
    "OTHER",
    "OUTAGE_PATTERNS",
    "OUTAGE_REPORT",
    "RESOLVED_PATTERNS",
    "SIGHTLINE_MENTION",
    "SIGHTLINE_TERMS",
    "TOPICS",
    "TOPICS_COLUMN",
    "TOPIC_PREFIX",
    "classify_concerns",
    "top_phrases",
]

logger = logging.getLogger(__name__)

TOPICS: tuple[str, ...] = (
    "lighting",
    "vegetation_sightline",
    "loitering_drugs",
    "litter_dumping",
    "traffic",
    "noise",
    "other",
)
"""Topic names, in the order used for columns and for the ``topics`` lists."""
OTHER = "other"
"""The topic of a concern that matches no other topic."""

TOPIC_PREFIX = "topic_"
TOPICS_COLUMN = "topics"
OUTAGE_REPORT = "outage_report"
SIGHTLINE_MENTION = "sightline_mention"

# --- the lexicon -----------------------------------------------------------------------------
# Every entry is a regular expression fragment, matched case-insensitively (the text is
# lower-cased and curly apostrophes are straightened first) with a word boundary on each side.
# ``[\s-]`` lets "street light", "street-light" and "streetlight" (with ``?``) all match.

SIGHTLINE_TERMS: tuple[str, ...] = (
    r"hedges?",
    r"hedgerows?",
    r"over[\s-]?grown",
    r"over[\s-]?growth",
    r"overhanging",
    r"bush(?:es|y)?",
    r"shrubs?",
    r"shrubbery",
    r"undergrowth",
    r"blind[\s-]+(?:corners?|spots?|bends?)",
    r"hidden[\s-]+(?:corners?|spots?|alcoves?)",
    r"hiding[\s-]+(?:places?|spots?)",
    r"can'?t[\s-]+see",
    r"cannot[\s-]+see",
    r"can[\s-]+not[\s-]+see",
    r"couldn'?t[\s-]+see",
    r"visibility",
    r"sight[\s-]?lines?",
    r"(?:block(?:s|ed|ing)?|obstruct(?:s|ed|ing)?)[\s-]+(?:the[\s-]+|my[\s-]+|our[\s-]+)?"
    r"(?:view|visibility|sight)",
    r"trees?[\s-]+(?:block(?:s|ed|ing)?|obstruct(?:s|ed|ing)?|hid(?:e|es|ing))",
)
"""Terms that flag a concern as a sightline mention (overgrowth, hedges, bushes, blind corners,
"can't see", blocked views); all of them also count as ``vegetation_sightline``."""

LEXICON: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "lighting": (
            r"street[\s-]?lights?",
            r"street[\s-]?lamps?",
            r"street[\s-]?lighting",
            r"lamp[\s-]?posts?",
            r"lamp[\s-]?columns?",
            r"lamps?",
            r"lights?",
            r"lighting",
            r"light[\s-]?poles?",
            r"flood[\s-]?lights?",
            r"(?:light[\s-]?)?bulbs?",
            r"lit",
            r"unlit",
            r"dark(?:ness|er|est)?",
            r"pitch[\s-]?(?:black|dark)",
            r"dim(?:ly|mer)?",
            r"gloomy",
            r"illuminat(?:ed|ion)",
        ),
        "vegetation_sightline": (
            *SIGHTLINE_TERMS,
            r"trees?",
            r"vegetation",
            r"foliage",
            r"weeds",
            r"ivy",
            r"branch(?:es)?",
            r"brambles?",
        ),
        "loitering_drugs": (
            r"loiter(?:s|ed|ing|ers?)?",
            r"hang(?:s|ing)?[\s-]+(?:around|about|out)",
            r"hung[\s-]+(?:around|about|out)",
            r"congregat(?:e|es|ed|ing)",
            r"groups?[\s-]+of[\s-]+(?:youths?|teens?|teenagers|kids|lads|men|people)",
            r"youths",
            r"gangs?",
            r"drugs?",
            r"drug[\s-]?deal(?:s|ing|ers?)?",
            r"deal(?:s|ing)?[\s-]+drugs",
            r"dealers?",
            r"needles?",
            r"syringes?",
            r"sharps",
            r"heroin",
            r"cocaine",
            r"crack[\s-]+(?:cocaine|pipes?|house|den)",
            r"cannabis",
            r"marijuana",
            r"smok(?:e|es|ing)[\s-]+weed",
            r"smell(?:s|ing)?[\s-]+of[\s-]+weed",
            r"nitrous",
            r"drinking",
            r"drunks?",
            r"drunken",
            r"intoxicated",
            r"alcohol",
            r"open[\s-]+containers?",
            r"begging",
            r"panhandl(?:e|es|ed|ing|ers?)",
            r"anti[\s-]?social",
        ),
        "litter_dumping": (
            r"fly[\s-]?tip(?:s|ped|ping|pers?)?",
            r"dump(?:s|ed|ing)?",
            r"litter(?:s|ed|ing)?",
            r"rubbish",
            r"trash",
            r"garbage",
            r"refuse[\s-]+(?:sacks?|bags?|collection)",
            r"bin[\s-]?bags?",
            r"bins?",
            r"overflowing",
            r"mattress(?:es)?",
            r"(?:old|dumped|abandoned)[\s-]+(?:sofas?|couch(?:es)?|furniture|fridges?|tyres?|tires?)",
            r"bulk[\s-]+(?:collection|items?|trash|waste)",
            r"waste",
            r"debris",
            r"junk",
            r"discarded",
            r"graffiti",
            r"fly[\s-]?post(?:s|ed|ing|ers?)?",
            r"sanitation",
            r"(?:recycling|compost)[\s-]+(?:collection|pick[\s-]?up|carts?|cans?|bins?)",
            r"super[\s-]?cans?",
            r"dog[\s-]+(?:poo|poop|fouling|mess)",
        ),
        "traffic": (
            r"speed(?:s|ing|ers?)?",
            r"(?:boy[\s-]+)?racers?",
            r"racing",
            r"park(?:ed|ing)",
            r"double[\s-]?parked",
            r"traffic",
            r"driv(?:ing|ers?)",
            r"(?:pedestrian|zebra)[\s-]+crossings?",
            r"crosswalks?",
            r"jaywalk(?:s|ing|ers?)?",
            r"(?:ran|run(?:s|ning)?|jump(?:s|ed|ing)?)[\s-]+(?:a[\s-]+|the[\s-]+)?red[\s-]+lights?",
            r"stop[\s-]+signs?",
            r"motor[\s-]?(?:bikes?|cycles?)",
            r"mopeds?",
            r"dirt[\s-]?bikes?",
            r"quad[\s-]?bikes?",
            r"e?[\s-]?scooters?",
            r"blocking[\s-]+(?:the[\s-]+|my[\s-]+|our[\s-]+)?(?:road|street|driveway|alley|crossing)",
            r"congestion",
            r"road[\s-]+safety",
            r"rat[\s-]?running",
            r"(?:car|road|traffic)[\s-]+(?:accidents?|crash(?:es)?|collisions?)",
            r"hit[\s-]+and[\s-]+run",
        ),
        "noise": (
            r"nois(?:e|es|y|ier|iest)",
            r"loud(?:ly|er|est|ness)?",
            r"music",
            r"shout(?:s|ed|ing)?",
            r"scream(?:s|ed|ing)?",
            r"yell(?:s|ed|ing)?",
            r"bang(?:s|ed|ing)",
            r"(?:loud|late[\s-]+night|house|street)[\s-]+part(?:y|ies)",
            r"partying",
            r"racket",
            r"horns?",
            r"bark(?:s|ed|ing)",
            r"honk(?:s|ed|ing)?",
            r"hoot(?:s|ed|ing)",
            r"rev(?:s|ved|ving)",
            r"fireworks?",
            r"sound[\s-]?systems?",
            r"stereos?",
            r"boom[\s-]?box(?:es)?",
            r"keep(?:s|ing)?[\s-]+(?:us|me|everyone)[\s-]+(?:up|awake)",
        ),
    }
)
"""Topic → terms (regular expression fragments, word boundaries added on both sides).

``other`` has no terms: it is the topic of a concern that matches none of the others."""

EXCLUSIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "lighting": (
            r"(?:traffic|signal|brake|head|tail|red|green|amber|pedestrian|crossing|warning"
            r"|christmas|fairy|party)[\s-]+lights?",
            r"light[\s-]+(?:rail|traffic|rain|drizzle|sleeper)",
            r"(?:after|before|until|till|at)[\s-]+dark",
            r"dark[\s-]+(?:car|van|vehicle|suv|sedan|clothing|clothes|colou?red|hoodie|jacket"
            r"|coat|hat|hair|skin(?:ned)?)s?",
        ),
        "vegetation_sightline": (r"(?:christmas|family)[\s-]+trees?",),
        "loitering_drugs": (
            r"drug[\s-]?stores?",
            r"drinking[\s-]+(?:fountains?|water)",
            r"needles?[\s-]+(?:and|&)[\s-]+thread",
        ),
        "litter_dumping": (r"waste[\s-]+of",),
    }
)
"""Topic → phrases that look like the topic's terms but are not about it (traffic lights,
"after dark", a suspect's "dark hoodie", a Christmas tree); masked before matching."""

NEGATION_CUES: tuple[str, ...] = (
    "not",
    "never",
    "no longer",
    "nor",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "don't",
    "doesn't",
    "didn't",
    "hasn't",
    "haven't",
    "hadn't",
    "won't",
    "wouldn't",
)
"""Words that cancel a term up to three tokens after them (the apostrophe may be left out).
*no* and *without* are deliberately absent: they name a lack ("no street lights")."""

NOT_NEGATING: tuple[str, ...] = (
    "enough",
    "sufficient",
    "sufficiently",
    "adequate",
    "adequately",
    "properly",
    "well",
    "very",
    "bright",
    "lit",
    "lighted",
    "illuminated",
)
"""A cue directly followed by one of these is not a negation ("not enough light", "not lit")."""

_LIGHT_NOUN = (
    r"(?:street[\s-]?(?:lights?|lamps?|lighting)|lamp[\s-]?(?:posts?|columns?)|lamps?|lights?"
    r"|lighting|light[\s-]?poles?|flood[\s-]?lights?|(?:light[\s-]?)?bulbs?)"
)
_FAILED_AFTER = (
    r"(?:out|off|broken|busted|dead|faulty|failed|failing|flicker(?:s|ing)?|blinking|smashed"
    r"|damaged|vandali[sz]ed|(?:knocked|fallen|fell)[\s-]+(?:down|over)"
    r"|not[\s-]+(?:working|on|lit|coming[\s-]+on|turning[\s-]+on|switching[\s-]+on)"
    r"|(?:isn|aren|doesn|don|didn|wasn|weren|hasn|haven|won)'?t[\s-]+"
    r"(?:working|work|on|lit|come[\s-]+on|coming[\s-]+on|turn(?:ing)?[\s-]+on)"
    r"|stopped[\s-]+working|never[\s-]+(?:on|works?|working)"
    r"|repairs?|outages?|faults?|failures?|malfunction(?:s|ing)?"
    r"|(?:needs?|needing)[\s-]+(?:repair(?:ing)?|fixing|replac(?:ing|ement)))"
)
_FAILED_BEFORE = (
    r"(?:broken|busted|dead|faulty|failed|flickering|blinking|smashed|damaged|vandali[sz]ed"
    r"|defective|blown|non[\s-]?working|malfunctioning)"
)

# tokens and gaps inside one clause: punctuation other than these, line breaks and the
# listed conjunctions end the window
_GAP = r"[ \t\-/&+\"'()*]+"
_WORD = r"(?!(?:and|but|because|while|though|although|whereas)\b)[\w']+"

OUTAGE_PATTERNS: tuple[str, ...] = (
    rf"\b{_LIGHT_NOUN}(?:{_GAP}{_WORD}){{0,6}}?{_GAP}{_FAILED_AFTER}\b",
    rf"\b{_FAILED_BEFORE}(?:{_GAP}{_WORD})?{_GAP}{_LIGHT_NOUN}\b",
)
"""A light noun followed within six words (same clause) by a failure word, or a failure
word just before a light noun; failure words include *out, off, broken, not working, repair,
outage*, so "street light out", "lights are off", "bulb out", "lamp broken" and the category
"Streetlight Repair Investigation" all count."""

RESOLVED_PATTERNS: tuple[str, ...] = (
    r"\b(?:has|have|had|was|were|been|is|are|now|got)[\s-]+(?:been[\s-]+|now[\s-]+)?"
    r"(?:fixed|repaired|replaced|restored|resolved|sorted)\b",
    r"\b(?:now|back)[\s-]+(?:working|on)\b",
    r"(?<!not )\bworking[\s-]+again\b",
    r"\b(?:repair|work)[\s-]+(?:was|has[\s-]+been|is)[\s-]+(?:completed|done)\b",
)
"""Phrases saying the light has been dealt with; a concern containing one is not an outage
report (it may still be a lighting concern)."""


def _alternation(terms: Sequence[str]) -> str:
    return r"\b(?:" + "|".join(terms) + r")\b"


def _cue_pattern() -> str:
    cues = "|".join(
        re.escape(c).replace("'", "'?").replace(r"\ ", r"[\s-]+") for c in NEGATION_CUES
    )
    degree = "|".join(NOT_NEGATING)
    return rf"\b(?:{cues})\b(?!{_GAP}(?:{degree})\b)"


def _negated(target: str) -> str:
    """Match a negation cue, zero to two words, then ``target``, all in one clause."""
    return rf"{_cue_pattern()}(?:{_GAP}{_WORD}){{0,2}}?{_GAP}{target}"


# compiled once; the text is lower-cased before matching, IGNORECASE is belt and braces
_FLAGS = re.IGNORECASE
_TERMS_RE = {t: re.compile(_alternation(terms), _FLAGS) for t, terms in LEXICON.items()}
_NEGATED_RE = {t: re.compile(_negated(_alternation(terms)), _FLAGS) for t, terms in LEXICON.items()}
_EXCLUDED_RE = {t: re.compile(_alternation(terms), _FLAGS) for t, terms in EXCLUSIONS.items()}
_SIGHTLINE_RE = re.compile(_alternation(SIGHTLINE_TERMS), _FLAGS)
_SIGHTLINE_NEGATED_RE = re.compile(_negated(_alternation(SIGHTLINE_TERMS)), _FLAGS)
_OUTAGE_RE = re.compile("|".join(f"(?:{p})" for p in OUTAGE_PATTERNS), _FLAGS)
_FAILED_NEGATED_RE = re.compile(_negated(rf"\b{_FAILED_AFTER}\b"), _FLAGS)
_RESOLVED_RE = re.compile("|".join(f"(?:{p})" for p in RESOLVED_PATTERNS), _FLAGS)
_ANY_TERM_RE = re.compile(_alternation([t for terms in LEXICON.values() for t in terms]), _FLAGS)
_ABBREVIATION_RE = re.compile(r"\b(no|nos|nr|opp|st|rd|ave|mr|mrs|ms|dr|approx)\.(?=\s)")
_MASK = " ; "  # replaces masked spans; also ends any window across them

_DEFAULT_TEXT_COLUMNS: tuple[str, ...] = (C.DESCRIPTION, C.CATEGORY)
_EXAMPLE_COLUMNS: tuple[str, str] = ("text", "topic")


def classify_concerns(
    concerns: pd.DataFrame,
    *,
    text_columns: Sequence[str] | None = None,
    examples: pd.DataFrame | None = None,
    min_probability: float = 0.5,
) -> pd.DataFrame:
    """Classify each concern into topics, and flag outage reports and sightline mentions.

    Parameters
    ----------
    concerns : DataFrame
        Concerns, typically the ``concerns`` layer of a study. Missing text (NaN, None) is
        treated as empty; non-string values are converted with ``str``.
    text_columns : sequence of str, optional
        Columns whose text is classified, joined clause-separated. By default ``description``
        and ``category``, whichever are present (neither present: every concern is
        ``other``). Columns named explicitly must exist.
    examples : DataFrame, optional
        Labelled examples with columns ``text`` and ``topic`` (a name in :data:`TOPICS`, at
        least two distinct topics). When given, a TF-IDF + logistic-regression classifier
        (scikit-learn, deterministic) is trained on them, and its prediction is *added* to
        the lexicon's topics (lexicon OR model): the lexicon stays the transparent floor and
        the model can only widen it to wording the lexicon misses. A prediction is used only
        when its probability is at least `min_probability`, the concern shares at least one
        word with the examples, and it is not ``other``; include ``other`` examples so the
        model can learn what belongs to no topic. The model never sets ``outage_report`` or
        ``sightline_mention``.
    min_probability : float
        Smallest predicted probability, in [0, 1], for a model topic to be added.

    Returns
    -------
    DataFrame
        Same index as `concerns`, columns:

        - ``topic_<name>`` (bool) for every name in :data:`TOPICS`; ``topic_other`` is True
          exactly when no other topic matched.
        - ``topics`` (list of str): the matched names, in :data:`TOPICS` order.
        - ``outage_report`` (bool): the text reports a light out or broken
          (:data:`OUTAGE_PATTERNS`, negation and :data:`RESOLVED_PATTERNS` applied); such a
          concern is always a lighting concern too.
        - ``sightline_mention`` (bool): the text mentions overgrowth, hedges, bushes, blind
          corners, "can't see" or a blocked view (:data:`SIGHTLINE_TERMS`).

    Raises
    ------
    ValidationError
        `concerns` is not a DataFrame, an explicit text column is missing, `examples` lack
        columns, name unknown topics or fewer than two topics, or `min_probability` is
        outside [0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> concerns = pd.DataFrame({"description": [
    ...     "Street light out again", "No street lights, very dark",
    ...     "The light is not out", "Loud music every night", None]})
    >>> flags = classify_concerns(concerns)
    >>> flags["topics"].tolist()
    [['lighting'], ['lighting'], ['lighting'], ['noise'], ['other']]
    >>> flags["outage_report"].tolist()
    [True, False, False, False, False]
    """
    columns = _check_concerns(concerns, text_columns, min_probability)
    text = _joined_text(concerns, columns)

    found = {t: _mentions(text, t) for t in LEXICON}
    outage = _masked_contains(
        text, _OUTAGE_RE, [_EXCLUDED_RE["lighting"], _FAILED_NEGATED_RE]
    ) & ~text.str.contains(_RESOLVED_RE, regex=True)
    sightline = _masked_contains(text, _SIGHTLINE_RE, [_SIGHTLINE_NEGATED_RE])
    found["lighting"] = found["lighting"] | outage
    found["vegetation_sightline"] = found["vegetation_sightline"] | sightline

    if examples is not None:
        learned = _model_topics(text, examples, min_probability)
        for t in LEXICON:
            found[t] = found[t] | learned[t]

    out = pd.DataFrame(index=concerns.index)
    matrix = np.column_stack([found[t].to_numpy(bool) for t in LEXICON]).reshape(
        len(text), len(LEXICON)
    )
    other = ~matrix.any(axis=1)
    for j, t in enumerate(LEXICON):
        out[TOPIC_PREFIX + t] = matrix[:, j]
    out[TOPIC_PREFIX + OTHER] = other
    full = np.column_stack([matrix, other])
    out[TOPICS_COLUMN] = pd.Series(
        [list(compress(TOPICS, row)) for row in full], index=concerns.index, dtype=object
    )
    out[OUTAGE_REPORT] = outage.to_numpy(bool)
    out[SIGHTLINE_MENTION] = sightline.to_numpy(bool)
    logger.info(
        "classified %d concerns from %s: %s; %d outage reports, %d sightline mentions%s",
        len(out),
        list(columns) or "no text column",
        ", ".join(f"{t} {int(full[:, j].sum())}" for j, t in enumerate(TOPICS)),
        int(out[OUTAGE_REPORT].sum()),
        int(out[SIGHTLINE_MENTION].sum()),
        f" (model trained on {len(examples)} examples)" if examples is not None else "",
    )
    return out


def top_phrases(
    texts: pd.Series,
    groups: pd.Series,
    *,
    n: int = 3,
    max_chars: int = 120,
) -> dict[Any, list[str]]:
    """Pick the few most representative phrases of each group's texts, in their own words.

    Each text is split into sentences and clauses (at ``. ! ?`` followed by a space, at
    ``;`` and at line breaks). Phrases are counted after normalising (case-folded, runs of
    whitespace to one space, trailing punctuation dropped) and ranked within the group by
    how often they occur, then by how many lexicon terms they contain, then alphabetically
    (so the result is deterministic). The wording returned is the first occurrence's, with
    surrounding whitespace and a trailing ``.``, ``,`` or ``;`` removed, and cut to
    `max_chars` with an ellipsis. Text is returned as is: escaping it for HTML is the map's job.

    Parameters
    ----------
    texts : Series
        Free text; NaN, None, empty text and the placeholders ``"nan"``/``"None"`` (what
        ``astype(str)`` makes of missing values) are skipped.
    groups : Series
        The group of each text (e.g. a cluster position), with the same index as `texts`;
        texts whose group is missing are skipped.
    n : int
        How many phrases per group, at least 1.
    max_chars : int
        Longest phrase returned, in characters (at least 2), ellipsis included.

    Returns
    -------
    dict
        Group → list of at most `n` phrases (str). Every non-missing group appears, with an
        empty list when it has no usable text.

    Raises
    ------
    ValidationError
        `texts` and `groups` do not share an index, or `n` / `max_chars` are out of range.

    Examples
    --------
    >>> import pandas as pd
    >>> texts = pd.Series(["Hedge is overgrown. Kids hang out here.",
    ...                    "hedge is overgrown!", "Bins overflowing", None])
    >>> groups = pd.Series([0, 0, 1, 1])
    >>> top_phrases(texts, groups, n=2)
    {0: ['Hedge is overgrown', 'Kids hang out here'], 1: ['Bins overflowing']}
    """
    _check_phrases_args(texts, groups, n, max_chars)
    frame = pd.DataFrame(
        {"group": groups.to_numpy(object), "text": texts.to_numpy(object)},
    )
    frame = frame[frame["group"].notna()]
    group_order = pd.unique(frame["group"].to_numpy(object)).tolist()
    result: dict[Any, list[str]] = {g: [] for g in group_order}

    text = frame["text"].where(frame["text"].notna(), "").astype("string")
    parts = text.str.split(r"(?<=[.!?])\s+|\s*[;\r\n]+\s*", regex=True)
    phrases = pd.DataFrame({"group": frame["group"].to_numpy(object), "phrase": parts.to_numpy()})
    phrases = phrases.explode("phrase", ignore_index=True)
    phrase = phrases["phrase"].astype("string").fillna("").str.strip().str.rstrip(".,;").str.strip()
    key = phrase.str.casefold().str.replace(r"\s+", " ", regex=True).str.rstrip(" .,;:!?")
    usable = key.str.contains(r"[^\W\d_]", regex=True) & ~key.isin(["nan", "none", "<na>"])
    table = pd.DataFrame(
        {"group": phrases["group"], "phrase": phrase, "key": key, "order": np.arange(len(key))}
    )[usable.to_numpy(bool)]
    if table.empty:
        return result

    stats = (
        table.groupby(["group", "key"], sort=False)
        .agg(count=("key", "size"), phrase=("phrase", "first"), order=("order", "min"))
        .reset_index()
    )
    stats["hits"] = stats["key"].astype(object).str.count(_ANY_TERM_RE)
    stats = stats.sort_values(
        ["count", "hits", "key", "order"], ascending=[False, False, True, True], kind="mergesort"
    )
    best = stats.groupby("group", sort=False).head(n)
    text_out = best["phrase"].astype(object)
    long = best["phrase"].str.len() > max_chars
    text_out[long.to_numpy(bool)] = (
        best["phrase"][long].str.slice(0, max_chars - 1).str.rstrip() + "…"
    ).astype(object)
    chosen = pd.Series(text_out.to_numpy(object), index=best["group"].to_numpy(object))
    for g, values in chosen.groupby(level=0, sort=False):
        result[g] = [str(v) for v in values]
    return result


# --- helpers ---------------------------------------------------------------------------------


def _check_concerns(
    concerns: Any, text_columns: Sequence[str] | None, min_probability: float
) -> tuple[str, ...]:
    """Validate the arguments of classify_concerns; return the text columns to use."""
    problems = []
    if not isinstance(concerns, pd.DataFrame):
        raise ValidationError(
            f"`concerns` must be a DataFrame (e.g. study.concerns), got {type(concerns).__name__}"
        )
    if text_columns is None:
        columns = tuple(c for c in _DEFAULT_TEXT_COLUMNS if c in concerns.columns)
        if not columns:
            logger.warning(
                "concerns have neither %r nor %r: every concern is classified as %r",
                C.DESCRIPTION,
                C.CATEGORY,
                OTHER,
            )
    else:
        if isinstance(text_columns, str):
            text_columns = (text_columns,)
        columns = tuple(text_columns)
        missing = [c for c in columns if c not in concerns.columns]
        if missing:
            problems.append(
                f"`text_columns` {missing} not in the concerns' columns "
                f"{list(map(str, concerns.columns))}"
            )
    if not 0.0 <= float(min_probability) <= 1.0:
        problems.append(f"`min_probability` must be between 0 and 1, got {min_probability}")
    raise_problems(problems, "Invalid arguments to classify_concerns")
    return columns


def _joined_text(frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """Join the columns' text by line breaks, lower-cased, as Python strings (object)."""
    if not columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    parts = [frame[c].astype("string").fillna("") for c in columns]
    joined = parts[0].str.cat(parts[1:], sep="\n") if len(parts) > 1 else parts[0]
    return _normalise(joined)


def _normalise(text: pd.Series) -> pd.Series:
    """Lower-cased text with straight apostrophes, as object dtype (Python ``re`` matching)."""
    text = text.astype("string").fillna("").str.lower()
    text = text.str.replace("[\u2018\u2019\u02bc`]", "'", regex=True)
    # the full stop of an abbreviation ("no. 12", "st.") does not end a clause
    text = text.str.replace(_ABBREVIATION_RE, r"\1", regex=True)
    return text.astype(object)


def _mentions(text: pd.Series, topic: str) -> pd.Series:
    """Whether each text mentions the topic: exclusions and negated terms masked first.

    Masking only removes text, so only the texts that mention a term at all are masked and
    searched again (the negation patterns are the slow part).
    """
    return _masked_contains(text, _TERMS_RE[topic], [_EXCLUDED_RE.get(topic), _NEGATED_RE[topic]])


def _masked_contains(text: pd.Series, pattern: Any, masks: Sequence[Any]) -> pd.Series:
    """Whether `pattern` is found in each text after replacing every mask by ``_MASK``."""
    candidate = text.str.contains(pattern, regex=True).to_numpy(bool)
    out = pd.Series(False, index=text.index)
    if not candidate.any():
        return out
    sub = text[candidate]
    for mask in masks:
        if mask is not None:
            sub = sub.str.replace(mask, _MASK, regex=True)
    out[candidate] = sub.str.contains(pattern, regex=True).to_numpy(bool)
    return out


def _check_examples(examples: Any) -> pd.DataFrame:
    """Validate labelled examples; return them with rows lacking text or topic dropped."""
    if not isinstance(examples, pd.DataFrame):
        raise ValidationError(
            "`examples` must be a DataFrame with columns 'text' and 'topic', "
            f"got {type(examples).__name__}"
        )
    missing = [c for c in _EXAMPLE_COLUMNS if c not in examples.columns]
    if missing:
        raise ValidationError(
            f"`examples` lack column(s) {missing}: give a DataFrame with columns "
            f"'text' (the concern's words) and 'topic' (one of {list(TOPICS)})"
        )
    problems = []
    usable = examples[examples["text"].notna() & examples["topic"].notna()]
    if len(usable) < len(examples):
        logger.warning("ignoring %d examples without text or topic", len(examples) - len(usable))
    topics = usable["topic"].astype(str)
    unknown = sorted(set(topics) - set(TOPICS))
    if unknown:
        problems.append(f"`examples` name unknown topic(s) {unknown}; use {list(TOPICS)}")
    if topics.nunique() < 2:
        problems.append(
            f"`examples` must cover at least 2 topics, got {sorted(set(topics))}; "
            "add examples of other topics (e.g. 'other')"
        )
    raise_problems(problems, "Invalid `examples` for the concern classifier")
    return usable.assign(topic=topics)


def _model_topics(
    text: pd.Series, examples: pd.DataFrame, min_probability: float
) -> dict[str, np.ndarray]:
    """Topics predicted by a TF-IDF + logistic-regression model trained on the examples."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    usable = _check_examples(examples)
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w[\w']*\b"
    )
    x_train = vectorizer.fit_transform(_normalise(usable["text"]).tolist())
    model = LogisticRegression(C=10.0, max_iter=1000, random_state=0)
    model.fit(x_train, usable["topic"].to_numpy(str))
    learned = {t: np.zeros(len(text), dtype=bool) for t in LEXICON}
    if len(text) == 0:
        return learned
    x = vectorizer.transform(text.tolist())
    proba = model.predict_proba(x)
    label = model.classes_[proba.argmax(axis=1)]
    known_words = np.asarray(x.getnnz(axis=1)) > 0
    keep = (proba.max(axis=1) >= min_probability) & known_words & (label != OTHER)
    for t in LEXICON:
        learned[t] = keep & (label == t)
    logger.info(
        "topic model (%d examples, %d topics) added a topic to %d of %d concerns",
        len(usable),
        len(model.classes_),
        int(keep.sum()),
        len(text),
    )
    return learned


def _check_phrases_args(texts: Any, groups: Any, n: int, max_chars: int) -> None:
    problems = []
    if not isinstance(texts, pd.Series) or not isinstance(groups, pd.Series):
        problems.append("`texts` and `groups` must be pandas Series")
    elif not texts.index.equals(groups.index):
        problems.append("`texts` and `groups` must have the same index")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        problems.append(f"`n` must be an integer of at least 1, got {n!r}")
    if isinstance(max_chars, bool) or not isinstance(max_chars, (int, np.integer)) or max_chars < 2:
        problems.append(f"`max_chars` must be an integer of at least 2, got {max_chars!r}")
    raise_problems(problems, "Invalid arguments to top_phrases")
