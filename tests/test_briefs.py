"""Place briefs: one printed page per place, text from data escaped once."""

from __future__ import annotations

import re
import warnings

import pytest
from browser import artifact, open_page, require_browser

from hotspots import datasets, diagnose, find_hotspots, recommend, write_briefs
from hotspots.briefs import briefs_html


@pytest.fixture(scope="module")
def dc():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = datasets.load_study("dc")
        places = diagnose(study, find_hotspots(study))
    return study, places, recommend(places)


def test_briefs_hold_where_when_what_fix_and_blank_lines(dc, tmp_path):
    study, places, recs = dc
    text = write_briefs(study, places, recs, tmp_path / "b.html", top_n=5).read_text("utf-8")
    assert text.count('<section class="brief">') == 5
    # places in harm order: #1 is the place with harm_rank 1 (a robbery among its 9 events)
    assert "<h1>#1 \u2014 400 block of L Street NW</h1>" in text
    for heading in ("When", "What", "Evidence and fix", "History", "Decision"):
        assert f"<h2>{heading}</h2>" in text
    assert "Busiest: 19:00\u201320:00" in text and "ROBBERY: 1" in text
    assert "Who: public works / street lighting" in text and "Effect size:" in text
    assert "Check the layer first" in text
    assert "Casebook: not kept yet" in text and "first seen 12 Jan 2025" in text
    assert text.count("Action agreed") == 5 and "<script" not in text


def test_optional_columns_are_shown_when_present(dc):
    study, places, recs = dc
    text = briefs_html(study, places, recs, top_n=1)
    assert "Harm rank: 1" in text and "Confidence: 0.2" in text  # from diagnose / recommend
    bare = places.drop(columns=["harm_rank"])
    plain = recs.drop(columns=["harm_rank", "confidence"])
    assert "Harm rank" not in briefs_html(study, bare, plain, top_n=1)


def test_hostile_location_is_escaped_once(dc):
    study, places, recs = dc
    hostile = places.assign(location='<img src=x onerror="alert(1)"> {{7*7}}')
    text = briefs_html(study, hostile, recs, top_n=1)
    assert "<img" not in text and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; {{7*7}}" in text


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_top_five_dc_briefs_print_one_page_each(dc, tmp_path, paper):
    chromium = require_browser()
    study, places, recs = dc
    path = write_briefs(study, places, recs, tmp_path / "briefs.html", top_n=5)
    with open_page(path, executable=chromium) as result:
        pdf = result.page.pdf(format=paper)
        assert result.problems == []
    artifact(f"dc-briefs-{paper}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == 5, f"{pages} {paper} pages for 5 briefs"
