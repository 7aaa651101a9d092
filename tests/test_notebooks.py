"""The worked-example notebooks run top to bottom and are stored without outputs.

Each notebook is executed with nbclient in a fresh ``python3`` kernel, in the notebooks
folder, so a broken notebook fails the suite. The kernel is ipykernel's native one, run
by this interpreter (``sys.executable``): no ``python -m ipykernel install`` is needed on a
fresh machine, and a stale user-level ``python3`` kernelspec pointing at another Python
cannot make the notebooks run against a different environment.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

# imported, not skipped when missing: the test extra installs them and CI must run these
import ipykernel  # noqa: F401  (the kernel the notebooks run in)
import nbclient
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
EXPECTED = ["01-quickstart.ipynb", "02-real-city-walkthrough.ipynb", "03-tuning-and-checking.ipynb"]
CELL_TIMEOUT_S = 300
"""Per cell; the whole of each notebook takes well under a minute."""


def _kernel_manager() -> KernelManager:
    """A kernel manager for ipykernel's native ``python3`` kernel in this interpreter."""
    # no kernel folders: only the native kernel is found, and its argv is sys.executable
    specs = KernelSpecManager(kernel_dirs=[])
    spec = specs.get_kernel_spec("python3")
    assert Path(spec.argv[0]).resolve() == Path(sys.executable).resolve(), spec.argv
    return KernelManager(kernel_name="python3", kernel_spec_manager=specs)


def test_notebooks_are_all_here():
    assert [p.name for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    for cell in nb.cells:
        assert cell.get("metadata", {}) == {}, f"{path.name}: cell {cell.get('id')} has metadata"
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: cell {cell.get('id')} has outputs"
            assert cell.execution_count is None, f"{path.name}: cell {cell.get('id')} was run"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    # the notebooks write their map and report here (a fresh folder, not the repository)
    monkeypatch.setenv("HOTSPOTS_OUT", str(tmp_path / "out"))
    before = sorted(p.name for p in NOTEBOOKS_DIR.iterdir())
    nb = nbformat.read(path, as_version=4)
    km = _kernel_manager()
    client = nbclient.NotebookClient(
        nb,
        km=km,
        timeout=CELL_TIMEOUT_S,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    start = time.perf_counter()
    try:
        client.execute()  # raises CellExecutionError, with the cell and traceback, on error
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    elapsed = time.perf_counter() - start

    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors
    # every code cell ran
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    # nothing was written next to the notebooks
    assert sorted(p.name for p in NOTEBOOKS_DIR.iterdir()) == before
    out_dir = tmp_path / "out"
    out_files = sorted(p.name for p in out_dir.iterdir()) if out_dir.is_dir() else []
    if path.name != "03-tuning-and-checking.ipynb":
        assert any(name.endswith(".html") for name in out_files), out_files
        assert "report.md" in out_files
    print(f"{path.name}: {elapsed:.1f} s")  # noqa: T201
