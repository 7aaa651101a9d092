"""The README and the docstrings say what the code does: checked so they cannot drift apart."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import hotspots
from hotspots import Settings
from hotspots.settings import FIX_TYPES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")

INSTALL_AND_DEMO = "python -m pip install -e . && hotspots demo"
INSTALL_AND_TEST = 'python -m pip install -e ".[test]" && python -m pytest'


def test_readme_has_the_two_set_up_commands_and_ci_runs_the_same_tests():
    assert INSTALL_AND_DEMO in README
    assert INSTALL_AND_TEST in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'python -m pip install --quiet -e ".[test]"' in ci
    assert ci.rstrip().endswith("python -m pytest")


@pytest.mark.parametrize("field", Settings().describe(), ids=lambda d: d["name"])
def test_readme_settings_table_matches_the_defaults(field):
    default = "none" if field["default"] == () else str(field["default"])
    row = re.search(rf"^\| `{field['name']}` \| ([^|]+) \|", README, flags=re.MULTILINE)
    assert row, f"README has no settings row for {field['name']}"
    assert row.group(1).strip() == default


@pytest.mark.parametrize("fix", FIX_TYPES)
def test_readme_explains_every_fix(fix):
    assert re.search(rf"^\| `{fix}` \|", README, flags=re.MULTILINE), fix


def _public_functions():
    for name in hotspots.__all__:
        obj = getattr(hotspots, name)
        if inspect.isfunction(obj):
            yield name, obj


@pytest.mark.parametrize(("name", "func"), list(_public_functions()), ids=lambda v: str(v))
def test_every_public_function_has_a_numpydoc_docstring_with_an_example(name, func):
    doc = inspect.getdoc(func) or ""
    for section in ("Parameters", "Returns", "Examples"):
        if section == "Parameters" and not inspect.signature(func).parameters:
            continue
        assert f"{section}\n---" in doc, f"{name}: no {section} section"
    assert ">>> " in doc, f"{name}: the example has no doctest"


def test_public_names_resolve_to_their_objects_even_after_submodule_imports():
    import importlib
    import types

    for module in ("assessment", "cluster", "environment", "grid", "maps", "recommendations",
                   "report", "study", "temporal", "topics", "io", "settings", "forecast",
                   "factors", "fixes", "layers"):  # fmt: skip
        importlib.import_module(f"hotspots.{module}")
    for name in hotspots.__all__:
        value = getattr(hotspots, name)
        if name in ("columns", "datasets"):
            assert isinstance(value, types.ModuleType)
        elif name != "__version__":
            assert not isinstance(value, types.ModuleType), name
    from hotspots import assess

    assert callable(assess) and assess.__module__ == "hotspots.assessment"
