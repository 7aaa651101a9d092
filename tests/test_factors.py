"""The factor registry: a new factor defined here, registered with one call, flows through
diagnose, recommend, the map (legend and popup, in Chromium) and the report with no edit to
the package; the registry is left as it was."""

from __future__ import annotations

import dataclasses
import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scenes as sc
import shapely
from browser import open_page, require_browser
from mapdata import map_data

from hotspots import (
    Settings,
    ValidationError,
    after_dark,
    combine_events,
    datasets,
    diagnose,
    find_hotspots,
    make_map,
    recommend,
    write_report,
)
from hotspots import _columns as C
from hotspots.factors import (
    EVIDENCE_COLUMNS,
    Column,
    Factor,
    FixRule,
    NoFixReason,
    evidence_columns,
    register_factor,
    registered,
    registered_factors,
)
from hotspots.factors.base import STRENGTH, night_text
from hotspots.factors.context import PlaceContext, group_lists, pairs_within
from hotspots.fixes import Fix, fix_colour, fix_label, fix_names, get_fix

# =========================================================================================
# a new factor, entirely in this file: vacant or abandoned buildings -> secure or board up
# =========================================================================================

VACANT_IDS = "vacant_building_ids"
VACANT_CONCERNS = "vacant_concerns"
REACH_M = 25.0

SECURE = Fix(
    name="board_up_building",
    label="Secure or board up a vacant building",
    colour="#000000",
    effect=(
        "Remediating abandoned houses cut gun violence nearby by about 39% in a Philadelphia "
        "cluster-randomised trial (Branas et al. 2016)."
    ),
    source="Branas et al. 2016",
    agency="code enforcement / vacant property unit",
)


def vacant_factor(buildings: gpd.GeoDataFrame) -> Factor:
    """A factor holding its own layer: vacant buildings (points with an ``id`` column)."""
    ids = buildings["id"].astype(str).to_numpy()
    xy = dict(zip(ids, shapely.get_coordinates(buildings.geometry.to_numpy()), strict=True))

    def evidence(ctx: PlaceContext) -> pd.DataFrame:
        place, building = pairs_within(ctx.polygons, buildings.geometry.to_numpy(), REACH_M)
        text = ctx.study.concerns[C.DESCRIPTION].astype("string").fillna("")
        mentions = text.str.contains(r"\b(?:vacant|abandoned)\b", case=False).to_numpy(bool)
        inside = (ctx.concern_place >= 0) & mentions
        return pd.DataFrame(
            {
                VACANT_IDS: group_lists(place, ids[building], ctx.k),
                VACANT_CONCERNS: np.bincount(ctx.concern_place[inside], minlength=ctx.k),
            }
        )

    def secure(place, settings):
        for bid in place[VACANT_IDS]:
            n = int(place[VACANT_CONCERNS])
            yield {
                C.TARGET_ID: bid,
                C.TARGET_KIND: "building",
                C.TARGET_X: float(xy[bid][0]),
                C.TARGET_Y: float(xy[bid][1]),
                C.EVIDENCE: f"Vacant building {bid} within {REACH_M:.0f} m; {n} resident "
                f"concern(s) mention a vacant or abandoned building. {night_text(place)}.",
                C.TRIGGERED_BY: [VACANT_IDS, VACANT_CONCERNS],
                STRENGTH: min(1.0, 0.5 + 0.1 * n),
            }

    def reasons(place, settings):
        if not place[VACANT_IDS]:
            yield NoFixReason("no vacant building mapped")

    return Factor(
        name="vacant_buildings",
        columns=(
            Column(VACANT_IDS, "list of str", "", f"vacant buildings within {REACH_M:.0f} m"),
            Column(VACANT_CONCERNS, "int", "", "concerns mentioning vacant/abandoned buildings"),
        ),
        evidence=evidence,
        rules=(FixRule(SECURE.name, secure, doc="a vacant building within reach"),),
        no_fix_reasons=reasons,
        doc="vacant or abandoned buildings",
    )


BUILDINGS = gpd.GeoDataFrame(
    {"id": ["VB-1", "VB-FAR"]},
    geometry=[shapely.Point(sc.X0 + 10, sc.Y0), shapely.Point(sc.X0 + 500, sc.Y0)],
    crs=sc.CRS,
)


def vacant_scene():
    return sc.scene(
        light_specs=[sc.NEAR_LIGHT, *sc.FAR_LIGHTS],
        concern_frame=sc.concerns(
            [
                "The vacant house is open, people go in at night",
                "Abandoned building next door",
                "loud music",
            ]
        ),
    )


@pytest.fixture
def vacant():
    """Register the fix and the factor for one test; the registry is restored afterwards."""
    before = (registered_factors(), fix_names())
    with registered(vacant_factor(BUILDINGS), SECURE) as factor:
        yield factor
    assert (registered_factors(), fix_names()) == before


def test_a_new_factor_flows_through_diagnose_and_recommend(vacant):
    study, clusters = vacant_scene()
    diagnosed = diagnose(study, clusters)
    row = diagnosed.iloc[0]
    assert row[VACANT_IDS] == ["VB-1"]
    assert row[VACANT_CONCERNS] == 2
    assert {VACANT_IDS, VACANT_CONCERNS} <= set(evidence_columns())
    assert VACANT_IDS not in EVIDENCE_COLUMNS  # the built-ins' list is unchanged

    recs = recommend(diagnosed)
    rec = recs[recs[C.FIX] == SECURE.name]
    assert len(rec) == 1
    rec = rec.iloc[0]
    assert rec[C.TARGET_ID] == "VB-1" and rec[C.TARGET_KIND] == "building"
    assert (rec[C.TARGET_X], rec[C.TARGET_Y]) == (sc.X0 + 10, sc.Y0)
    assert rec.geometry.equals(shapely.Point(sc.X0 + 10, sc.Y0))
    assert "Vacant building VB-1 within 25 m; 2 resident concern(s)" in rec[C.EVIDENCE]
    assert rec[C.EFFECT] == SECURE.effect and "Guerette & Bowers" in rec[C.CAUTION]
    assert 0 < rec[C.PRIORITY] <= 100
    # what the map legend, popups and report need, for any registered fix
    fix = get_fix(SECURE.name)
    assert (fix_label(fix.name), fix_colour(fix.name)) == (SECURE.label, "#000000")
    assert fix.source == "Branas et al. 2016" and fix.agency.startswith("code enforcement")

    # its rule can be switched off like any other, and then the place has no fix at all,
    # with the new factor's reason last ("what the place lacks")
    off = recommend(diagnosed, settings=study.settings.replace(disabled_rules=[SECURE.name]))
    assert list(off[C.FIX]) == [C.NO_FIX]
    assert off[C.EVIDENCE].iloc[0].count("no vacant building") == 0


def test_the_new_factor_reaches_the_map_and_the_report(vacant, tmp_path):
    """Legend, popup (in Chromium) and report show the new fix, read from the catalogue."""
    study, clusters = vacant_scene()
    diagnosed = diagnose(study, clusters)
    recs = recommend(diagnosed)
    path = tmp_path / "map.html"
    make_map(study, diagnosed, recs).save(path)
    assert SECURE.label in map_data(path)["legend"]
    with open_page(path, executable=require_browser(), wait_for="path.hotspot-marker") as result:
        page = result.page
        assert SECURE.label in page.locator("#hotspots-legend-body").inner_text()
        page.locator("path.hotspot-marker").first.dispatch_event("click")
        popup = page.locator(".leaflet-popup-content").last
        popup.wait_for()
        text = popup.inner_text()
        assert SECURE.label in text and "Vacant building VB-1" in text
        assert "Branas et al. 2016" in text and "code enforcement" in text
        assert result.problems == []
    out = tmp_path / "report"
    write_report(study, diagnosed, recs, out)
    assert SECURE.label in (out / "report.md").read_text(encoding="utf-8")
    table = pd.read_csv(out / "recommendations.csv")
    assert SECURE.name in set(table[C.FIX])


def test_the_new_factor_says_why_when_there_is_nothing_to_secure():
    study, clusters = vacant_scene()
    with registered(vacant_factor(BUILDINGS.iloc[[1]]), SECURE):  # only the far building
        recs = recommend(diagnose(study, clusters))
    assert list(recs[C.FIX]) == [C.NO_FIX]
    text = recs[C.EVIDENCE].iloc[0]
    assert text.index("no bus stop waiting area") < text.index("no vacant building mapped")


def test_without_the_factor_nothing_of_it_remains():
    study, clusters = vacant_scene()
    diagnosed = diagnose(study, clusters)
    assert VACANT_IDS not in diagnosed.columns
    assert SECURE.name not in fix_names()
    with pytest.raises(ValidationError, match="unknown fix"):
        Settings(disabled_rules=[SECURE.name])


# =========================================================================================
# registration is checked
# =========================================================================================


def _factor(name="extra", columns=("extra_count",), fix=None):
    rules = (FixRule(fix, lambda place, settings: iter(())),) if fix else ()
    return Factor(
        name=name,
        columns=tuple(Column(c, "int", "", "a count") for c in columns),
        evidence=lambda ctx: pd.DataFrame({c: np.zeros(ctx.k, int) for c in columns}),
        rules=rules,
    )


def test_a_factor_whose_rule_names_an_unknown_fix_cannot_be_registered():
    before = registered_factors()
    with pytest.raises(ValidationError, match=r"fix 'paint_mural' is not in the catalogue"):
        register_factor(_factor(fix="paint_mural"))
    assert registered_factors() == before


def test_a_column_clash_is_refused_with_every_problem_listed():
    with pytest.raises(
        ValidationError,
        match=r"(?s)already registered.*'dark_event_share' is already the 'lighting' factor's",
    ):
        register_factor(_factor(name="lighting", columns=("dark_event_share",)))
    with pytest.raises(ValidationError, match="listed more than once"):
        register_factor(_factor(columns=("a", "a")))
    with pytest.raises(ValidationError, match="given by recommend itself"):
        register_factor(_factor(fix=C.NO_FIX))


def test_every_built_in_rule_names_a_fix_in_the_catalogue():
    for factor in registered_factors():
        for rule in factor.rules:
            assert rule.fix in fix_names() and set(rule.supersedes) <= set(fix_names())
            assert rule.doc, rule.fix


def test_built_in_factors_in_column_order():
    assert [f.name for f in registered_factors()] == [
        "time", "lighting", "bus_stops", "sightlines", "concerns", "precision", "offences",
        "requests",
    ]  # fmt: skip
    columns = [c for f in registered_factors() for c in f.column_names]
    assert len(columns) == len(set(columns)) == len(EVIDENCE_COLUMNS)


def test_a_factor_returning_the_wrong_shape_is_named():
    bad = Factor(
        "bad", (Column("bad_count", "int", "", "x"),), lambda ctx: pd.DataFrame({"x": [1]})
    )
    study, clusters = sc.scene()
    with (
        registered(bad),
        pytest.raises(ValidationError, match=r"(?s)factor 'bad'.*lacks its declared column"),
    ):
        diagnose(study, clusters)


# =========================================================================================
# settings travel with the data
# =========================================================================================


@pytest.fixture(scope="module")
def scene_study():
    return datasets.load_study("scene")


def test_recommend_uses_the_settings_the_places_carry(scene_study):
    study = dataclasses.replace(
        scene_study, settings=scene_study.settings.replace(disabled_rules=("improve_bus_stop",))
    )
    diagnosed = diagnose(study, find_hotspots(study))
    assert diagnosed.attrs["settings"] is study.settings
    recs = recommend(diagnosed)
    assert "improve_bus_stop" not in set(recs[C.FIX])
    assert recs.attrs["settings"] is study.settings
    # passing settings explicitly still overrides what the data carry
    assert "improve_bus_stop" in set(recommend(diagnosed, settings=Settings())[C.FIX])


def test_defaults_are_used_only_with_a_warning(scene_study, caplog):
    diagnosed = diagnose(scene_study, find_hotspots(scene_study))
    diagnosed.attrs.clear()
    with caplog.at_level(logging.WARNING, logger="hotspots.recommendations"):
        recommend(diagnosed)
    assert "carry no settings" in caplog.text


def test_after_dark_of_a_study_uses_its_settings(scene_study):
    strict = dataclasses.replace(
        scene_study, settings=scene_study.settings.replace(twilight_depression_deg=18)
    )
    events = combine_events(scene_study)
    assert after_dark(strict).sum() == after_dark(events, settings=strict.settings).sum()
    assert after_dark(strict).sum() < after_dark(scene_study).sum()
