"""The fix catalogue: one entry per fix, checked when registered, read by settings and rules."""

from __future__ import annotations

import dataclasses

import pytest

from hotspots import Settings, ValidationError, register_fix
from hotspots import _columns as C
from hotspots.factors import registered_factors
from hotspots.fixes import (
    BUILTIN_FIXES,
    CAUTION_TEXT,
    Fix,
    catalogue,
    fix_colour,
    fix_colours,
    fix_label,
    fix_labels,
    fix_names,
    get_fix,
    unregister_fix,
)
from hotspots.settings import FIX_TYPES

# what the map showed before the catalogue: the catalogue must give the same labels and colours
MAP = {
    "repair_light": ("Repair a light that is out", "#E69F00"),
    "add_lighting": ("Add lighting in a dark gap", "#D55E00"),
    "improve_bus_stop": ("Improve the bus stop", "#0072B2"),
    "trim_vegetation": ("Trim vegetation", "#009E73"),
    "clear_sightline": ("Clear a blocked sightline", "#CC79A7"),
    "clean_up": ("Clean up", "#56B4E9"),
    "no_environmental_fix": ("No environmental fix indicated", "#7F7F7F"),
}

MURAL = Fix("paint_mural", "Paint a mural", "#112233", "", "", "arts council")


@pytest.fixture
def mural():
    yield register_fix(MURAL)
    unregister_fix(MURAL.name)


def test_built_in_fixes_keep_the_map_labels_and_colours():
    assert {name: (fix_label(name), fix_colour(name)) for name in MAP} == MAP
    assert {n: fix_labels()[n] for n in MAP} == {n: v[0] for n, v in MAP.items()}
    assert {n: fix_colours()[n] for n in MAP} == {n: v[1] for n, v in MAP.items()}


def test_every_fix_has_an_agency_and_every_effect_a_source():
    for fix in catalogue().values():
        assert fix.agency and fix.label and fix.colour.startswith("#"), fix.name
        assert not fix.effect or fix.source, fix.name
    assert "Welsh & Farrington 2008" in get_fix("repair_light").effect
    assert get_fix("add_lighting").agency == "public works / street lighting"
    assert get_fix("improve_bus_stop").agency == "transit agency"
    assert get_fix(C.NO_FIX).caution == "" and get_fix("clean_up").caution == CAUTION_TEXT


def test_settings_fix_types_come_from_the_catalogue():
    assert tuple(f.name for f in BUILTIN_FIXES) == FIX_TYPES
    assert fix_names()[: len(FIX_TYPES)] == FIX_TYPES


def test_every_built_in_rule_names_a_fix_in_the_catalogue():
    named = {n for f in registered_factors() for n in f.fixes}
    assert named <= set(fix_names())
    assert named | {C.NO_FIX} == set(FIX_TYPES)  # and every built-in fix has a rule


def test_unknown_fix_is_an_error_everywhere():
    with pytest.raises(ValidationError, match=r"unknown fix 'paint_mural'; the catalogue has"):
        fix_label("paint_mural")
    with pytest.raises(ValidationError, match="unknown fix"):
        Settings(disabled_rules=["paint_mural"])


def test_a_registered_fix_can_be_switched_off_and_removed(mural):
    assert fix_label("paint_mural") == "Paint a mural" and "paint_mural" in fix_colours()
    assert Settings(disabled_rules=["paint_mural"]).disabled_rules == ("paint_mural",)
    assert "paint_mural" not in FIX_TYPES  # the built-in contract does not change


def test_registration_lists_every_problem(mural):
    bad = dataclasses.replace(MURAL, colour="blue", agency="", effect="30% fewer", source="")
    with pytest.raises(
        ValidationError,
        match=r"(?s)`colour`.*'#RRGGBB'.*`agency`.*`source` of 'paint_mural'.*already in the",
    ):
        register_fix(bad)
    with pytest.raises(ValidationError, match="must be a hotspots.fixes.Fix"):
        register_fix({"name": "x"})
    with pytest.raises(ValidationError, match="snake_case"):
        register_fix(dataclasses.replace(MURAL, name="Paint Mural"))


def test_built_in_fixes_cannot_be_removed():
    with pytest.raises(ValidationError, match="is a built-in fix"):
        unregister_fix("repair_light")
    with pytest.raises(ValidationError, match="not in the catalogue"):
        unregister_fix("paint_mural")
