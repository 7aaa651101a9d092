"""The ``hotspots`` command, driven as a subprocess like a user would run it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from hotspots import cli, datasets
from hotspots.settings import FIX_TYPES, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONTRACT = (
    "map.html",
    "hotspots.gpkg",
    "hotspots.csv",
    "recommendations.csv",
    "rejected.csv",
    "report.md",
    "run.json",
)
REC_COLUMNS = {"cluster_id", "fix", "target_id", "priority", "evidence", "lon", "lat"}
DC_BOX = (-77.12, 38.79, -76.90, 39.00)  # lon/lat box round Washington, DC
LEEDS_BOX = (-1.70, 53.70, -1.40, 53.90)  # the generated scene is laid out on Leeds
DC_TZ = "America/New_York"


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hotspots ARGS`` and return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "hotspots", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        check=False,
    )


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc


def scene_args(**extra: str | Path) -> list[str | Path]:
    paths = datasets.paths("scene")
    args: list[str | Path] = ["analyze", "--tz", "Europe/London"]
    for kind in ("incidents", "concerns", "lights", "stops", "obstructions", "boundary"):
        args += [f"--{kind}", paths[kind]]
    for key, value in extra.items():
        args += [f"--{key.replace('_', '-')}", value]
    return args


def in_box(lon: pd.Series, lat: pd.Series, box: tuple[float, float, float, float]) -> bool:
    return bool(lon.between(box[0], box[2]).all() and lat.between(box[1], box[3]).all())


def check_contract(out: Path, box: tuple[float, float, float, float]) -> None:
    """Every file of the output folder, with the columns and values other tools rely on."""
    for name in CONTRACT:
        assert (out / name).is_file(), (
            f"{name} missing from {sorted(p.name for p in out.iterdir())}"
        )
        assert (out / name).stat().st_size > 0, f"{name} is empty"

    assert "<html" in (out / "map.html").read_text(encoding="utf-8")[:2000].lower()

    layers = {name for name, _ in pyogrio.list_layers(out / "hotspots.gpkg")}
    assert {"hotspots", "recommendations"} <= layers
    hot = gpd.read_file(out / "hotspots.gpkg", layer="hotspots")
    recs_gpkg = gpd.read_file(out / "hotspots.gpkg", layer="recommendations")
    assert len(hot) > 0
    assert set(hot.geom_type) <= {"Polygon", "MultiPolygon"}
    assert hot["cluster_id"].is_unique
    assert hot.crs is not None and hot.crs.is_projected

    hot_csv = pd.read_csv(out / "hotspots.csv")
    assert len(hot_csv) == len(hot)
    assert set(hot_csv["cluster_id"]) == set(hot["cluster_id"])
    assert {"lon", "lat"} <= set(hot_csv.columns)
    assert in_box(hot_csv["lon"], hot_csv["lat"], box)
    # lon/lat are the WGS84 position of each polygon's centre: inside its polygon
    pts = gpd.GeoSeries(gpd.points_from_xy(hot_csv["lon"], hot_csv["lat"]), crs=4326)
    inside = (
        pts.to_crs(hot.crs)
        .buffer(1.0)
        .intersects(
            hot.set_index("cluster_id").loc[hot_csv["cluster_id"]].geometry.reset_index(drop=True)
        )
    )
    assert inside.all()

    recs = pd.read_csv(out / "recommendations.csv", keep_default_na=False)
    assert set(recs.columns) >= REC_COLUMNS, REC_COLUMNS - set(recs.columns)
    assert len(recs) == len(recs_gpkg) > 0
    assert set(recs["fix"]) <= set(FIX_TYPES), set(recs["fix"]) - set(FIX_TYPES)
    assert set(recs["cluster_id"]) == set(hot["cluster_id"])  # every hot spot has a fix row
    assert in_box(recs["lon"].astype(float), recs["lat"].astype(float), box)
    assert pd.to_numeric(recs["priority"]).notna().all()
    assert (recs["evidence"].str.len() > 0).all()

    rejected = pd.read_csv(out / "rejected.csv", keep_default_na=False)
    assert {"source", "row", "reason", "original"} <= set(rejected.columns)

    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# ")

    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert {"settings", "versions", "layers", "command"} <= set(run_json)
    assert run_json["versions"]["hotspots"]
    for kind, counts in run_json["layers"].items():
        assert counts["read"] == counts["loaded"] + counts["rejected"], kind
    n_rejected = sum(c["rejected"] for c in run_json["layers"].values())
    assert n_rejected == len(rejected)


# =========================================================================================
# runs shared by several tests
# =========================================================================================


@pytest.fixture(scope="module")
def demo_dc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``hotspots demo`` with no --out, run in an empty folder: ./hotspots-demo."""
    cwd = tmp_path_factory.mktemp("demo")
    proc = ok(run("demo", cwd=cwd))
    return cwd / "hotspots-demo", proc.stdout


@pytest.fixture(scope="module")
def scene_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scene") / "out"
    ok(run(*scene_args(out=out)))
    return out


# =========================================================================================
# tests
# =========================================================================================


def test_demo_writes_the_contract_to_default_folder(demo_dc: tuple[Path, str]) -> None:
    out, _ = demo_dc
    check_contract(out, DC_BOX)
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["timezone"] == DC_TZ
    assert {"incidents", "concerns", "lights", "stops"} <= set(run_json["layers"])


def test_demo_prints_where_the_map_is_and_a_summary(demo_dc: tuple[Path, str]) -> None:
    out, stdout = demo_dc
    assert str(out.resolve() / "map.html") in stdout or "hotspots-demo/map.html" in stdout
    assert "report.md" in stdout
    n = len(pd.read_csv(out / "hotspots.csv"))
    assert f"{n} hot spots found" in stdout
    top = pd.read_csv(out / "recommendations.csv", keep_default_na=False)
    best = top.sort_values("priority", ascending=False).iloc[0]
    assert f"{best['cluster_id']} (" in stdout and best["fix"] in stdout
    assert "\x1b[" not in stdout  # no progress or colour codes when stdout is not a terminal


def test_analyze_scene_files(scene_out: Path) -> None:
    check_contract(scene_out, LEEDS_BOX)
    run_json = json.loads((scene_out / "run.json").read_text(encoding="utf-8"))
    assert set(run_json["layers"]) == {"incidents", "concerns", "lights", "stops", "obstructions"}
    assert run_json["timezone"] == "Europe/London"
    assert run_json["public_map"] is False
    fixes = set(pd.read_csv(scene_out / "recommendations.csv")["fix"])
    assert {"repair_light", "add_lighting", "improve_bus_stop"} <= fixes


def _event_pairs() -> set[tuple[float, float]]:
    paths = datasets.paths("scene")
    inc = pd.read_csv(paths["incidents"])
    con = pd.read_csv(paths["concerns"])
    lon = pd.concat([inc["lon"], con["longitude"]])
    lat = pd.concat([inc["lat"], con["latitude"]])
    return {(round(x, 6), round(y, 6)) for x, y in zip(lon, lat, strict=True)}


def _map_pairs(path: Path) -> set[tuple[float, float]]:
    """Every [a, b] number pair in the HTML, both ways round (GeoJSON and Leaflet order)."""
    num = r"(-?\d+\.\d+)"
    pairs = set()
    for a, b in re.findall(rf"\[\s*{num}\s*,\s*{num}\s*\]", path.read_text(encoding="utf-8")):
        x, y = round(float(a), 6), round(float(b), 6)
        pairs |= {(x, y), (y, x)}
    return pairs


def test_public_map_has_no_event_coordinates(scene_out: Path, tmp_path: Path) -> None:
    events = _event_pairs()
    # the check can see coordinates: the ordinary map does show events at their points
    assert len(events & _map_pairs(scene_out / "map.html")) > 100
    out = tmp_path / "public"
    ok(run("-q", *scene_args(out=out), "--public"))
    assert not events & _map_pairs(out / "map.html")
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["public_map"] is True


def _dc_incidents() -> pd.DataFrame:
    return pd.read_csv(
        datasets.paths("dc")["incidents"], dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )


def test_bad_rows_are_rejected_with_reasons(tmp_path: Path) -> None:
    frame = _dc_incidents()
    frame.loc[0:3, ["LATITUDE", "LONGITUDE"]] = ""  # data rows 1-4
    frame.loc[4:6, "START_DATE"] = "sometime last week"  # rows 5-7
    frame.loc[7, ["LATITUDE", "LONGITUDE"]] = "0"  # row 8
    broken = tmp_path / "broken incidents.csv"
    frame.to_csv(broken, index=False)

    out = tmp_path / "out"
    ok(run("analyze", "--incidents", broken, "--tz", DC_TZ, "--out", out))
    rejected = pd.read_csv(out / "rejected.csv", keep_default_na=False)
    mine = rejected[rejected["row"] <= 8].set_index("row")
    assert mine.loc[[1, 2, 3, 4], "reason"].eq("missing_coordinates").all()
    assert mine.loc[[5, 6, 7], "reason"].eq("unparseable_time").all()
    assert mine.loc[8, "reason"] == "zero_coordinates"
    assert (mine["source"] == str(broken)).all()
    original = json.loads(mine.loc[5, "original"])
    assert original["START_DATE"] == "sometime last week"
    assert original["CCN"] == frame.loc[4, "CCN"]
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["layers"]["incidents"]["rejected"] == len(rejected) >= 8


def test_columns_not_found_exit_2_then_override(tmp_path: Path) -> None:
    renamed = _dc_incidents().rename(
        columns={
            "LATITUDE": "north_deg",
            "LONGITUDE": "east_deg",
            "X": "px",
            "Y": "py",
            "XBLOCK": "bx",
            "YBLOCK": "by",
        }
    )
    path = tmp_path / "renamed.csv"
    renamed.to_csv(path, index=False)

    proc = run("analyze", "--incidents", path, "--tz", DC_TZ, "--out", tmp_path / "a")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "no coordinate columns found" in proc.stderr
    assert "--incidents-lon" in proc.stderr  # the command-line form of the fix
    assert not (tmp_path / "a" / "map.html").exists()

    out = tmp_path / "b"
    fixed = ok(
        run(
            *("analyze", "--incidents", path, "--tz", DC_TZ, "--out", out),
            *("--incidents-lon", "east_deg", "--incidents-lat", "north_deg"),
            *("--incidents-time", "START_DATE", "--name", "Renamed DC"),
        )
    )
    assert "Renamed DC" in fixed.stdout
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["layers"]["incidents"]["columns"]["lon"] == "east_deg"
    assert run_json["study"] == "Renamed DC"
    assert len(pd.read_csv(out / "hotspots.csv")) > 0


def test_unknown_file_exit_2(tmp_path: Path) -> None:
    proc = run(
        *("analyze", "--incidents", tmp_path / "nope.csv"),
        *("--lights", tmp_path / "gone.geojson", "--out", tmp_path / "out"),
    )
    assert proc.returncode == 2
    assert "nope.csv: no such file" in proc.stderr
    assert "gone.geojson: no such file" in proc.stderr  # every problem at once
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze", "--out", "x"], "at least one of --incidents and --concerns"),
        (["analyze", "--incidents", "a.csv"], "--out"),  # argparse: required
        (["frobnicate"], "invalid choice"),
        (["demo", "--sample", "mars"], "invalid choice"),
        (["analyze", "--concerns", "c.csv", "--concerns-lon", "x", "--out", "o"], "both"),
        (["demo", "--eps-m", "-5"], "--eps-m must be > 0"),
    ],
)
def test_bad_arguments_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # in-process (the subprocess tests above show main's code is the process exit code)
    args = [str(tmp_path / a) if a in ("x", "o", "a.csv", "c.csv") else a for a in args]
    assert cli.main(args) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_settings_round_trip_through_config_quietly(tmp_path: Path) -> None:
    proc = ok(run("settings"))
    parsed = tomllib.loads(proc.stdout)
    expected = {k: list(v) if isinstance(v, tuple) else v for k, v in Settings().as_dict().items()}
    assert parsed == expected

    config = tmp_path / "settings.toml"
    config.write_text(proc.stdout.replace("min_days = 3", "min_days = 4"), encoding="utf-8")
    out = tmp_path / "out"
    quiet = ok(run("-q", "demo", "--sample", "scene", "--config", config, "--out", out))
    assert quiet.stdout == ""  # -q: nothing on success
    assert quiet.stderr == ""  # (not even the scene's planted swapped-row warning)
    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["settings"] == {**expected, "min_days": 4}


def test_bad_config_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("min_dayz = 4\n", encoding="utf-8")
    assert cli.main(["demo", "--config", str(config), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unknown setting(s) `min_dayz`" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_installed_script() -> None:
    script = shutil.which("hotspots", path=str(Path(sys.executable).parent))
    assert script, "the `hotspots` console script is not installed beside this Python"
    proc = ok(subprocess.run([script, "--help"], capture_output=True, text=True, check=False))
    assert "analyze" in proc.stdout and "demo" in proc.stdout and "settings" in proc.stdout


def test_unexpected_failure_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import hotspots.cluster

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("something nobody planned for")

    monkeypatch.setattr(hotspots.cluster, "find_hotspots", boom)
    args = ["demo", "--sample", "scene", "--out", str(tmp_path)]
    assert cli.main(args) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "RuntimeError: something nobody planned for" in err
    assert "rerun with -v" in err

    assert cli.main(["-v", *args]) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and "boom" in err
    assert "stage load" in err  # -v logs one line per stage


def test_no_hot_spots_still_writes_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    paths = datasets.paths("scene")
    args = ["analyze", "--incidents", str(paths["incidents"]), "--tz", "Europe/London"]
    assert cli.main([*args, "--min-samples", "100000", "--out", str(out)]) == 0
    assert "0 hot spots found" in capsys.readouterr().out
    for name in CONTRACT:
        assert (out / name).is_file(), name
    assert len(pd.read_csv(out / "recommendations.csv")) == 0
    assert set(pd.read_csv(out / "recommendations.csv").columns) >= REC_COLUMNS


# =========================================================================================
# bad options found before the analysis, the output folder, Ctrl-C
# =========================================================================================


@pytest.fixture(scope="module")
def projected_boundary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scene boundary in UTM metres, saved as GeoJSON without a `crs` member."""
    frame = gpd.read_file(datasets.paths("scene")["boundary"]).to_crs(32630)
    record = json.loads(frame.to_json())
    record.pop("crs", None)
    path = tmp_path_factory.mktemp("boundary") / "utm_boundary.geojson"
    path.write_text(json.dumps(record), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--crs", "not-a-crs"], "--crs not-a-crs: not a CRS PROJ knows"),
        (["--crs", "EPSG:4326"], "--crs EPSG:4326: is not a projected CRS in metres"),
        (["--incidents-crs", "EPSG:999999"], "--incidents-crs EPSG:999999: not a CRS PROJ"),
        (["--boundary", "BOUNDARY"], "which are not longitude/latitude"),
        (["--out", "/proc/hotspots-out"], "--out /proc/hotspots-out: cannot write in /proc"),
        (["--out", "FILE/out"], "is a file; give another path"),
        (["--out", "FILE"], "exists and is not a folder"),
        (["--wait", "-1"], "--wait must be >= 0"),
        (["--tiles", "http://insecure/{z}/{x}/{y}.png"], "--tiles: tiles must be"),
        (["--tiles", "https://t.example.org/{z}/{x}/{y}.png"], "tiles_attribution is required"),
    ],
)
def test_bad_crs_boundary_or_out_exit_2_before_the_analysis(
    extra: list[str],
    message: str,
    tmp_path: Path,
    projected_boundary: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "file").write_text("not a folder")
    swap = {"BOUNDARY": str(projected_boundary), "FILE": str(tmp_path / "file"),
            "FILE/out": str(tmp_path / "file" / "out")}  # fmt: skip
    extra = [swap.get(a, a) for a in extra]
    args = ["-v", "analyze", "--incidents", str(datasets.paths("scene")["incidents"])]
    args += ["--tz", "Europe/London", "--out", str(tmp_path / "out"), *extra]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert "stage load" not in err  # found before any file was read
    assert not (tmp_path / "out").exists()


def test_a_busy_output_folder_exits_2_with_the_lock_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hotspots._output import output_folder

    out = tmp_path / "out"
    with output_folder(out):
        args = ["demo", "--sample", "scene", "--wait", "0.2", "--out", str(out)]
        assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "another hotspots run is writing to this folder" in err
    assert "--wait SECONDS" in err


def test_a_second_run_replaces_only_its_own_files(
    scene_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    shutil.copytree(scene_out, out)
    (out / "notes.md").write_text("the team's notes", encoding="utf-8")
    paths = datasets.paths("scene")
    args = ["analyze", "--incidents", str(paths["incidents"]), "--tz", "Europe/London"]
    assert cli.main([*args, "--name", "Second", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    replaced = "replaced the previous run's bursts.csv, hotspots.csv, hotspots.gpkg, map.html"
    assert replaced in printed
    assert (out / "notes.md").read_text(encoding="utf-8") == "the team's notes"
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["study"] == "Second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no lock, journal, staging


def test_ctrl_c_inside_pyproj_log_callback_is_not_lost() -> None:
    # pyproj logs PROJ messages from a C callback; a KeyboardInterrupt raised in Python code
    # under it cannot cross the C frame and was printed and dropped, so Ctrl-C was lost
    import logging
    import os
    import signal

    import pyproj

    class CtrlC(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            os.kill(os.getpid(), signal.SIGINT)  # handled while inside the callback

    logger = logging.getLogger("pyproj")
    handler, level = CtrlC(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    interrupts = cli._Interrupts()
    try:
        with interrupts.installed():
            with pytest.raises(pyproj.exceptions.CRSError):  # the run would have gone on
                pyproj.CRS.from_user_input("EPSG:999999")
            assert interrupts.pending
            with pytest.raises(KeyboardInterrupt):
                interrupts.check()  # ...to the next stage boundary, which raises it
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
