"""Offence wordings to groups, indoor/outdoor locations, harm weights."""

from __future__ import annotations

import pandas as pd
import pytest

from hotspots.offences import (
    GROUPS,
    default_harm_weights,
    harm_weights,
    location_column,
    location_kind,
    offence_groups,
)


@pytest.mark.parametrize(
    ("wording", "group"),
    [
        ("THEFT/OTHER", "theft_other"),  # DC
        ("THEFT F/AUTO", "theft_from_vehicle"),
        ("ASSAULT W/DANGEROUS WEAPON", "assault_serious"),
        ("ASSAULT - SIMPLE", "assault"),  # Boston
        ("AUTO THEFT - MOTORCYCLE / SCOOTER", "vehicle_theft"),
        ("Shoplifting", "theft_other"),  # NIBRS
        ("Burglary/Breaking & Entering", "burglary"),
        ("Anti-social behaviour", "public_order"),  # police.uk
        ("ROBBERY - STREET", "robbery"),
        ("Robbery of a convenience store", "robbery"),  # keyword
        ("DOMESTIC BATTERY SIMPLE", "domestic"),
        ("Criminal mischief", "criminal_damage"),
        ("Lost property", "unknown"),
    ],
)
def test_wordings_map_to_groups(wording, group):
    groups, _ = offence_groups(pd.Series([wording]))
    assert groups.iloc[0] == group


def test_unmapped_wordings_are_counted_and_overrides_apply():
    s = pd.Series(["Lost property", "Lost property", "Found property"])
    groups, unmapped = offence_groups(s)
    assert unmapped == {"Lost property": 2, "Found property": 1}
    groups, unmapped = offence_groups(s, overrides={"lost property": "other"})
    assert groups.tolist()[:2] == ["other", "other"] and unmapped == {"Found property": 1}


def test_locations_outdoor_beats_indoor():
    kinds = location_kind(pd.Series(["PARKING LOT / GARAGE (NON.RESID.)", "APARTMENT", "STREET"]))
    assert kinds.tolist() == ["outdoor", "indoor", "outdoor"]
    assert location_column(pd.DataFrame({"Premise Type": []})) == "Premise Type"


def test_every_group_has_a_harm_weight_and_overrides_win():
    weights = default_harm_weights()
    assert set(GROUPS) <= set(weights)
    assert weights["homicide"] > weights["robbery"] > weights["theft_other"]
    assert harm_weights({"theft_other": 50})["theft_other"] == 50.0
