"""Concern topics: the lexicon, its negation rule, outage reports, the optional model, phrases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hotspots import ValidationError
from hotspots import _columns as C
from hotspots.datasets import sample_dir
from hotspots.topics import (
    LEXICON,
    OUTAGE_REPORT,
    SIGHTLINE_MENTION,
    TOPICS,
    TOPICS_COLUMN,
    classify_concerns,
    top_phrases,
)

TOPIC_COLUMNS = [f"topic_{t}" for t in TOPICS]


def _classify(*texts: object, **kwargs: object) -> pd.DataFrame:
    return classify_concerns(pd.DataFrame({C.DESCRIPTION: list(texts)}), **kwargs)


def _topics(text: object) -> list[str]:
    return _classify(text)[TOPICS_COLUMN].iloc[0]


def _outage(text: object) -> bool:
    return bool(_classify(text)[OUTAGE_REPORT].iloc[0])


# --- the vocabulary --------------------------------------------------------------------------


def test_topics_and_lexicon_agree():
    assert TOPICS == (
        "lighting",
        "vegetation_sightline",
        "loitering_drugs",
        "litter_dumping",
        "traffic",
        "noise",
        "other",
    )
    assert set(LEXICON) == set(TOPICS) - {"other"}
    with pytest.raises(TypeError):
        LEXICON["lighting"] = ()  # type: ignore[index]


POSITIVE = {
    "lighting": [
        "Streetlight by the alley",
        "street light on the corner",
        "the street-lamp flickers",
        "lamp post leaning",
        "lamppost near no. 4",
        "it is really dark here at night",
        "the path is unlit",
        "bulb needs changing",
        "No street lights at all",
        "no lighting on the footpath",
        "not enough lighting",
        "the underpass is not lit",
    ],
    "vegetation_sightline": [
        "Hedge needs cutting",
        "overgrown path",
        "bushes by the gate",
        "shrubs everywhere",
        "trees blocking the view",
        "blind corner by the garages",
        "you can't see who is there",
        "you can’t see the door",  # curly apostrophe
        "I cannot see the road",
        "Tree Inspection",
    ],
    "loitering_drugs": [
        "youths loitering outside the shop",
        "people hanging around the bus stop",
        "lads hanging about all night",
        "drug dealing in the stairwell",
        "drug dealers at the corner",
        "needles found in the park",
        "used syringes by the bins",
        "street drinking on the bench",
    ],
    "litter_dumping": [
        "fly-tipping behind the shops",
        "flytipping again",
        "mattress dumped in the alley",
        "illegal dumping",
        "litter everywhere",
        "rubbish bags split",
        "trash on the sidewalk",
        "graffiti on the wall",
        "Bulk Collection",
    ],
    "traffic": [
        "cars speeding down the hill",
        "speeding",
        "parking on the pavement",
        "Parking Enforcement",
        "heavy traffic at school time",
        "traffic lights broken at the junction",
        "boy racers every weekend",
    ],
    "noise": [
        "noise from the flats",
        "loud music until 3am",
        "shouting in the street",
        "people screaming",
        "noisy neighbours",
    ],
}

NEGATIVE = {
    "lighting": [
        "thunder and lightning",
        "a delightful street",
        "daylight robbery",
        "man in a dark hoodie",
        "they come out after dark",
        "traffic lights broken",
        "It is not dark here",
        "the area isn't dark",
    ],
    "vegetation_sightline": [
        "a bushel of apples",
        "hedgehog in the garden",
        "Christmas Tree Removal - Missed",
        "the path is not overgrown",
    ],
    "loitering_drugs": [
        "a drug store robbery",
        "the drinking fountain is broken",
        "nobody hangs",
        "they were not loitering",
    ],
    "litter_dumping": ["a dumpling stall", "littoral zone", "what a waste of time"],
    "traffic": ["kids in the park", "speedo", "trafficking"],
    "noise": ["a loudspeaker announcement", "it is not loud"],
}


@pytest.mark.parametrize(
    ("topic", "text"), [(t, x) for t, texts in POSITIVE.items() for x in texts]
)
def test_topic_found(topic, text):
    assert topic in _topics(text)


@pytest.mark.parametrize(
    ("topic", "text"), [(t, x) for t, texts in NEGATIVE.items() for x in texts]
)
def test_topic_not_found(topic, text):
    assert topic not in _topics(text)


def test_other_is_exactly_no_other_topic():
    flags = _classify("lost cat", "Sidewalk Repair", "hedge overgrown and loud music", "")
    assert flags[TOPICS_COLUMN].tolist() == [
        ["other"],
        ["other"],
        ["vegetation_sightline", "noise"],
        ["other"],
    ]
    others = flags[TOPIC_COLUMNS[:-1]].any(axis=1)
    assert (flags["topic_other"] == ~others).all()


def test_several_topics_in_topics_order():
    flags = _classify("Loud music, drug dealing and dumping under the broken street light")
    assert flags[TOPICS_COLUMN].iloc[0] == [
        "lighting",
        "loitering_drugs",
        "litter_dumping",
        "noise",
    ]


# --- negation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lighting"),
    [
        ("no street lights on this road", True),  # "no" names a lack: still lighting
        ("No lighting whatsoever", True),
        ("there are no lights and it is not safe", True),
        ("not well lit at all", True),  # cue + degree word is not a negation
        ("It's not the lights, it's the dealers", False),
        ("never dark there", False),
        ("the street is not dark, but the hedge is overgrown", False),
        ("not worried about it. It is very dark", True),  # the cue's clause has ended
        ("not sure why anyone walks here in the dark", True),  # cue too far away
        ("it isn't very dark", True),  # cue + degree word: still about lighting
    ],
)
def test_negation_of_lighting(text, lighting):
    assert ("lighting" in _topics(text)) is lighting


def test_negation_is_per_term_and_per_topic():
    topics = _topics("the hedge is not overgrown but there is litter everywhere")
    assert "litter_dumping" in topics
    assert "hedges" not in topics
    # a negated term does not cancel a later mention of the same topic in another clause
    assert "vegetation_sightline" in _topics("not the hedge. The bushes hide everyone")


@pytest.mark.parametrize(
    "text",
    [
        "street light out",
        "Street light out again",
        "the streetlight is out",
        "light not working",
        "lamp broken",
        "lights are off",
        "bulb out",
        "broken street lamp",
        "the street light on the corner of Elm is out",
        "Street light outside no. 12 out again, whole path is dark",
        "lights don't work",
        "light doesnt come on",
        "lamp post flickering all night",
        "Streetlight Repair Investigation",
        "Street Light Out",
    ],
)
def test_outage_found(text):
    assert _outage(text)
    assert "lighting" in _topics(text)


@pytest.mark.parametrize(
    "text",
    [
        "the light is not out",
        "the street light isn't broken",
        "lamp is not broken, just dim",
        "the lamp is no longer out",
        "street light was out but has been fixed",
        "the light has been repaired",
        "lights working again",
        "traffic lights out at the junction",
        "no street lights here",  # a lack of lights, not a light that failed
        "it is dark",
        "out of milk, lights on",
        "",
    ],
)
def test_outage_not_found(text):
    assert not _outage(text)


def test_outage_from_category_alone():
    concerns = pd.DataFrame(
        {
            C.CATEGORY: ["Streetlight Repair Investigation", "Pothole", "Street Light Out"],
            C.DESCRIPTION: [np.nan, np.nan, None],
        }
    )
    flags = classify_concerns(concerns)
    assert flags[OUTAGE_REPORT].tolist() == [True, False, True]
    assert flags["topic_lighting"].tolist() == [True, False, True]


def test_sightline_mention():
    flags = _classify(
        "hedges overgrown",
        "blind corner",
        "can't see a thing",
        "tree removal",
        "it is not overgrown",
        "no visibility from the road",
    )
    assert flags[SIGHTLINE_MENTION].tolist() == [True, True, True, False, False, True]
    # every sightline mention is also a vegetation/sightline concern
    assert (flags["topic_vegetation_sightline"] | ~flags[SIGHTLINE_MENTION]).all()


# --- the frame -------------------------------------------------------------------------------


def test_columns_dtypes_and_index_preserved():
    concerns = pd.DataFrame(
        {C.DESCRIPTION: ["dark", "loud music"], C.CATEGORY: ["x", "y"]},
        index=pd.Index(["b", "a"], name="cid"),
    )
    before = concerns.copy()
    flags = classify_concerns(concerns)
    assert flags.index.equals(concerns.index)
    assert list(flags.columns) == [*TOPIC_COLUMNS, TOPICS_COLUMN, OUTAGE_REPORT, SIGHTLINE_MENTION]
    for col in [*TOPIC_COLUMNS, OUTAGE_REPORT, SIGHTLINE_MENTION]:
        assert flags[col].dtype == bool
    assert flags.loc["a", TOPICS_COLUMN] == ["noise"]
    pd.testing.assert_frame_equal(concerns, before)


def test_missing_and_non_string_text():
    concerns = pd.DataFrame(
        {
            C.DESCRIPTION: [np.nan, None, 42, "", "dark alley"],
            C.CATEGORY: [None, "Graffiti", 1.5, "", np.nan],
        }
    )
    flags = classify_concerns(concerns)
    assert flags[TOPICS_COLUMN].tolist() == [
        ["other"],
        ["litter_dumping"],
        ["other"],
        ["other"],
        ["lighting"],
    ]


def test_text_columns_and_missing_columns():
    concerns = pd.DataFrame({"notes": ["hedge overgrown"], C.CATEGORY: ["Pothole"]})
    assert classify_concerns(concerns)[TOPICS_COLUMN].iloc[0] == ["other"]  # notes not read
    flags = classify_concerns(concerns, text_columns=["notes"])
    assert flags[TOPICS_COLUMN].iloc[0] == ["vegetation_sightline"]
    # neither default column: every concern is "other"
    flags = classify_concerns(pd.DataFrame({"x": [1, 2]}))
    assert flags["topic_other"].all()
    with pytest.raises(ValidationError, match=r"`text_columns` \['comments'\] not in"):
        classify_concerns(concerns, text_columns=["comments"])
    with pytest.raises(ValidationError, match="`concerns` must be a DataFrame"):
        classify_concerns(["dark"])  # type: ignore[arg-type]


def test_empty_concerns():
    flags = classify_concerns(pd.DataFrame({C.DESCRIPTION: pd.Series([], dtype=object)}))
    assert len(flags) == 0
    assert TOPICS_COLUMN in flags.columns


def test_dc_311_sample():
    raw = pd.read_csv(sample_dir("dc") / "service_requests_dc311_downtown.csv")
    concerns = pd.DataFrame(
        {
            C.CATEGORY: raw["SERVICECODEDESCRIPTION"].to_numpy(),
            C.DESCRIPTION: raw["DETAILS"].to_numpy(),
        },
        index=raw["SERVICEREQUESTID"],
    )
    flags = classify_concerns(concerns)
    assert flags.index.equals(concerns.index)
    street = concerns[C.CATEGORY].str.contains("Streetlight")
    assert street.sum() >= 1
    assert flags.loc[street, "topic_lighting"].all()
    assert flags.loc[street, OUTAGE_REPORT].all()
    assert flags[OUTAGE_REPORT].sum() == street.sum()  # no other DC category is an outage
    dumping = concerns[C.CATEGORY].eq("Illegal Dumping")
    assert flags.loc[dumping, "topic_litter_dumping"].all()
    parking = concerns[C.CATEGORY].eq("Parking Enforcement")
    assert flags.loc[parking, "topic_traffic"].all()
    signals = concerns[C.CATEGORY].eq("Traffic Signal Issue")
    assert not flags.loc[signals, "topic_lighting"].any()


# --- the optional model ----------------------------------------------------------------------

EXAMPLES = pd.DataFrame(
    {
        "text": [
            "huge pothole in the road",
            "pothole keeps getting bigger",
            "potholes everywhere on this street",
            "bins not collected",
            "lost my cat",
            "question about council tax",
            "lovely neighbours",
            "street light out",
            "dark alley",
        ],
        "topic": ["traffic"] * 3 + ["litter_dumping"] + ["other"] * 3 + ["lighting"] * 2,
    }
)


def test_model_adds_a_learned_topic():
    concerns = pd.DataFrame(
        {C.DESCRIPTION: ["There is a pothole outside number 4", "lost dog", "zzz qqq", "hedge"]},
        index=[10, 20, 30, 40],
    )
    lexicon_only = classify_concerns(concerns)
    assert lexicon_only.loc[10, TOPICS_COLUMN] == ["other"]
    flags = classify_concerns(concerns, examples=EXAMPLES)
    assert flags.index.equals(concerns.index)
    assert flags.loc[10, TOPICS_COLUMN] == ["traffic"]
    assert flags.loc[20, TOPICS_COLUMN] == ["other"]  # the model says "other": nothing added
    assert flags.loc[30, TOPICS_COLUMN] == ["other"]  # no word the model knows
    assert flags.loc[40, TOPICS_COLUMN] == ["vegetation_sightline"]  # the lexicon is kept
    again = classify_concerns(concerns, examples=EXAMPLES)
    pd.testing.assert_frame_equal(flags, again)
    # a demanding threshold keeps only the lexicon
    strict = classify_concerns(concerns, examples=EXAMPLES, min_probability=1.0)
    assert strict.loc[10, TOPICS_COLUMN] == ["other"]


def test_model_examples_errors():
    concerns = pd.DataFrame({C.DESCRIPTION: ["pothole"]})
    with pytest.raises(ValidationError, match=r"`examples` lack column\(s\) \['topic'\]"):
        classify_concerns(concerns, examples=pd.DataFrame({"text": ["a", "b"]}))
    bad = pd.DataFrame({"text": ["a", "b"], "topic": ["lighting", "potholes"]})
    with pytest.raises(ValidationError, match=r"unknown topic\(s\) \['potholes'\]"):
        classify_concerns(concerns, examples=bad)
    one = pd.DataFrame({"text": ["a", "b"], "topic": ["noise", "noise"]})
    with pytest.raises(ValidationError, match="at least 2 topics"):
        classify_concerns(concerns, examples=one)
    with pytest.raises(ValidationError, match="`examples` must be a DataFrame"):
        classify_concerns(concerns, examples=[("a", "noise")])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="`min_probability` must be between 0 and 1"):
        classify_concerns(concerns, examples=EXAMPLES, min_probability=1.5)


# --- top phrases -----------------------------------------------------------------------------


def test_top_phrases_ranking():
    texts = pd.Series(
        [
            "Kids hang out here. Hedge is overgrown.",
            "hedge is  overgrown!",
            "Zebra. Apple",  # once each: ranked alphabetically after lexicon phrases
            "Dealers at night; loud music",
        ]
    )
    groups = pd.Series([7, 7, 7, 7])
    phrases = top_phrases(texts, groups, n=5)
    # most frequent first (keeps the first wording), then by lexicon terms, then A-Z
    assert phrases == {
        7: [
            "Hedge is overgrown",
            "loud music",  # two lexicon terms
            "Dealers at night",
            "Kids hang out here",
            "Apple",
        ]
    }


def test_top_phrases_is_deterministic_and_order_free():
    texts = pd.Series(["b thing", "a thing", "dark lane", "dark lane", "c thing"] * 2)
    groups = pd.Series([1, 1, 1, 2, 2] * 2)
    first = top_phrases(texts, groups, n=2)
    assert first == top_phrases(texts, groups, n=2)
    shuffled = texts.sample(frac=1, random_state=3)
    assert top_phrases(shuffled, groups.loc[shuffled.index], n=2) == first
    # all tie on frequency; "dark lane" holds a lexicon term, then alphabetical
    assert first == {1: ["dark lane", "a thing"], 2: ["dark lane", "c thing"]}


def test_top_phrases_verbatim_trimmed_and_missing():
    texts = pd.Series(
        ["<b>Dark</b> & scary", "x" * 50, np.nan, "nan", "   ", "42"],
        index=[3, 5, 8, 13, 21, 34],
    )
    groups = pd.Series([0, 1, 2, 2, 2, np.nan], index=texts.index)
    phrases = top_phrases(texts, groups, max_chars=10)
    assert phrases == {0: ["<b>Dark</…"], 1: ["xxxxxxxxx…"], 2: []}
    assert len(phrases[1][0]) == 10
    assert top_phrases(texts, groups)[0] == ["<b>Dark</b> & scary"]  # not escaped


def test_top_phrases_errors():
    texts = pd.Series(["a"], index=[1])
    with pytest.raises(ValidationError, match="same index"):
        top_phrases(texts, pd.Series([0], index=[2]))
    with pytest.raises(ValidationError, match="`n` must be an integer of at least 1"):
        top_phrases(texts, pd.Series([0], index=[1]), n=0)
    with pytest.raises(ValidationError, match="`max_chars`"):
        top_phrases(texts, pd.Series([0], index=[1]), max_chars=1)


# --- issue 14: "no <topic> problem" and a light that is dark ---------------------------------


@pytest.mark.parametrize(
    ("text", "topic", "outage"),
    [
        ("no lighting problem here", "other", False),
        ("There is no lighting issue on this street", "other", False),
        ("no problems with the street lights", "other", False),
        ("no street lights at all", "lighting", False),
        ("lamp post dark since Tuesday", "lighting", True),
        ("Street light has been dark for a week", "lighting", True),
        ("The lights are dark on the corner", "lighting", True),
        ("Lights on the dark street are fine", "lighting", False),
    ],
)
def test_no_problem_negation_and_dark_lights(text, topic, outage):
    flags = classify_concerns(pd.DataFrame({"description": [text]}))
    assert flags["topics"].iloc[0] == [topic]
    assert bool(flags["outage_report"].iloc[0]) is outage
