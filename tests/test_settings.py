"""Settings: frozen, validated, documented, round-trips through TOML."""

from __future__ import annotations

import dataclasses

import pytest

from hotspots import Settings, ValidationError, load_settings


def test_defaults_carry_domain_meaning():
    s = Settings()
    assert (s.light_radius_m, s.stop_radius_m, s.min_days, s.span_days) == (30.0, 50.0, 3, 14)
    assert s.twilight_depression_deg == 6.0


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().min_days = 5  # type: ignore[misc]


def test_every_problem_listed_at_once():
    with pytest.raises(ValidationError, match=r"(?s)`min_days` must be >= 1.*`alpha` must be < 1"):
        Settings(min_days=0, alpha=2.0)
    with pytest.raises(ValidationError, match="must be int"):
        Settings(min_days=2.5)
    with pytest.raises(ValidationError, match="unknown setting"):
        Settings().replace(radius=3)


def test_toml_round_trip(tmp_path):
    s = Settings(light_radius_m=25, min_days=4)
    path = tmp_path / "s.toml"
    path.write_text(s.to_toml())
    assert load_settings(path) == s
    path.write_text("[settings]\nspan_days = 21\n")
    assert load_settings(path).span_days == 21


def test_bad_toml(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("nonsense = = 3")
    with pytest.raises(ValidationError, match="Cannot read settings file"):
        load_settings(path)
    path.write_text("light_reach = 3\n")
    with pytest.raises(ValidationError, match="unknown setting.*light_reach"):
        load_settings(path)


def test_describe_lists_unit_and_source():
    rows = {r["name"]: r for r in Settings().describe()}
    assert rows["light_radius_m"]["unit"] == "m"
    assert rows["twilight_depression_deg"]["source"].startswith("civil twilight")
    assert all(r["source"] and r["help"] for r in rows.values())


# --- issue 14: mapping settings (TOML tables) ----------------------------------------------


def test_mapping_settings_round_trip_through_toml(tmp_path):
    s = Settings(
        request_types={"Lantern out": "light_out"},
        offence_groups={"THEFT/OTHER": "theft_other"},
        harm_weights={"robbery": 400},
    )
    path = tmp_path / "s.toml"
    path.write_text(s.to_toml(), encoding="utf-8")
    assert load_settings(path) == s
    assert load_settings(path).harm_weights == {"robbery": 400}


def test_mapping_settings_refuse_unknown_kinds_groups_and_weights():
    with pytest.raises(ValidationError) as err:
        Settings(
            request_types={"x": "lamp"},
            offence_groups={"y": "jaywalking"},
            harm_weights={"robbery": -1, "nope": 1},
        )
    text = str(err.value)
    for word in ("request_types", "offence_groups", "harm_weights", "nope"):
        assert word in text
