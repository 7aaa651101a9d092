"""Regular grids of square or hexagonal cells: layout, cell of a point, counts, polygons.

One implementation for :func:`hotspots.grid.grid_counts` (square or hexagonal cells, the
origin snapped to multiples of the cell size) and the forecast scoring of
:mod:`hotspots.forecast` (square cells from the south-west corner of the study area).
Cells are numbered row-major from the south-west: row 0 is southernmost, column 0
westernmost, and the flat index of a cell is ``row * n_cols + col``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

from hotspots._errors import raise_problems

SQRT3 = math.sqrt(3.0)

DEFAULT_CELLS_ON_SHORT_SIDE = 50
"""Default cell size: the shorter side of the extent / 50, sfhotspot's rule
(``set_cell_size``, ``R/set_cell_size.R``: "1/50th of the length of the shorter side")."""
CELL_ROUND_M = 10.0
"""The default cell size is rounded down to a multiple of this (sfhotspot rounds to 100 m in
metric CRSs, too coarse for street-level places)."""
MIN_DEFAULT_CELL_M = 10.0
"""The default cell size is never smaller than this: finer than the usual location precision
of police data (block midpoints, 10 m snapping) a cell means nothing."""
MAX_CELLS = 4_000_000
"""Largest grid (cells, rows x columns) built; the default cell size grows to stay under it."""


@dataclass(frozen=True)
class Grid:
    """Rows x columns of square or hexagonal cells of size ``cell`` from an origin.

    For squares ``(x0, y0)`` is the lower-left corner of cell (0, 0); for pointy-top
    hexagons (odd rows shifted half a cell east) it is the centre of cell (0, 0), and
    ``cell`` is the distance between neighbouring centres.
    """

    shape: str
    cell: float
    x0: float
    y0: float
    n_rows: int
    n_cols: int

    @classmethod
    def over(cls, extent: tuple[float, float, float, float], cell: float, shape: str) -> Grid:
        """Cover the extent, the origin snapped to multiples of the cell size.

        Grids of one cell size over different extents line up.
        """
        xmin, ymin, xmax, ymax = extent
        if shape == "square":
            x0 = math.floor(xmin / cell) * cell
            y0 = math.floor(ymin / cell) * cell
            # a point exactly on the far edge goes to the last cell (see locate)
            n_cols = max(1, math.ceil((xmax - x0) / cell))
            n_rows = max(1, math.ceil((ymax - y0) / cell))
            return cls(shape, cell, x0, y0, n_rows, n_cols)
        dy = cell * SQRT3 / 2
        k0 = math.floor(ymin / dy) - 1
        k0 -= k0 % 2  # keep the parity of rows global: even rows are never shifted
        x0 = (math.floor(xmin / cell) - 1) * cell
        y0 = k0 * dy
        n_cols = math.ceil((xmax - x0) / cell) + 2
        n_rows = math.ceil((ymax - y0) / dy) + 2
        return cls(shape, cell, x0, y0, n_rows, n_cols)

    @classmethod
    def from_corner(cls, extent: tuple[float, float, float, float], cell: float) -> Grid:
        """Square cells from the extent's south-west corner; its far edges are inside."""
        minx, miny, maxx, maxy = extent
        nx = max(1, math.ceil((maxx - minx) / cell + 1e-9))
        ny = max(1, math.ceil((maxy - miny) / cell + 1e-9))
        # a point on the upper edge belongs to the last cell, not past it
        if minx + nx * cell <= maxx:
            nx += 1
        if miny + ny * cell <= maxy:
            ny += 1
        return cls("square", float(cell), float(minx), float(miny), ny, nx)

    @property
    def size(self) -> int:
        """Number of cells, ``n_rows * n_cols``."""
        return self.n_rows * self.n_cols

    def cell_of(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of the cell that holds each point, unclipped (vectorised)."""
        px, py = xy[:, 0] - self.x0, xy[:, 1] - self.y0
        if self.shape == "square":
            col = np.floor(px / self.cell).astype(np.int64)
            row = np.floor(py / self.cell).astype(np.int64)
            return row, col
        # axial coordinates of pointy-top hexagons of circumradius R, then cube rounding
        radius = self.cell / SQRT3
        q = (SQRT3 / 3 * px - py / 3) / radius
        r = (2 / 3 * py) / radius
        s = -q - r
        rq, rr, rs = np.round(q), np.round(r), np.round(s)
        dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
        fix_q = (dq > dr) & (dq > ds)
        fix_r = ~fix_q & (dr > ds)
        rq = np.where(fix_q, -rr - rs, rq)
        rr = np.where(fix_r, -rq - rs, rr)
        row = rr.astype(np.int64)
        col = rq.astype(np.int64) + (row - (row & 1)) // 2
        return row, col

    def locate(self, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of each point's cell; points past the far edge go to the last cell."""
        row, col = self.cell_of(xy)
        return np.clip(row, 0, self.n_rows - 1), np.clip(col, 0, self.n_cols - 1)

    def counts(self, xy: np.ndarray) -> np.ndarray:
        """Points per cell, shape (n_rows, n_cols); points outside the grid are not counted."""
        row, col = self.cell_of(xy)
        inside = (col >= 0) & (col < self.n_cols) & (row >= 0) & (row < self.n_rows)
        flat = row[inside] * self.n_cols + col[inside]
        return np.bincount(flat, minlength=self.size).reshape(self.n_rows, self.n_cols)

    def centres(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre coordinates of cells by flat (row-major) index."""
        row, col = np.divmod(flat, self.n_cols)
        if self.shape == "square":
            return self.x0 + (col + 0.5) * self.cell, self.y0 + (row + 0.5) * self.cell
        return (
            self.x0 + (col + 0.5 * (row & 1)) * self.cell,
            self.y0 + row * self.cell * SQRT3 / 2,
        )

    def polygons(self, flat: np.ndarray | None = None) -> np.ndarray:
        """Cell polygons by flat (row-major) index; all cells by default."""
        if flat is None:
            flat = np.arange(self.size)
        if self.shape == "square":
            row, col = np.divmod(flat, self.n_cols)
            x = self.x0 + col * self.cell
            y = self.y0 + row * self.cell
            return shapely.box(x, y, x + self.cell, y + self.cell)
        cx, cy = self.centres(flat)
        radius = self.cell / SQRT3
        angles = np.deg2rad(np.array([30, 90, 150, 210, 270, 330, 30]))
        ring = np.stack(
            [
                cx[:, None] + radius * np.cos(angles)[None, :],
                cy[:, None] + radius * np.sin(angles)[None, :],
            ],
            axis=-1,
        )
        return shapely.polygons(ring)


def choose_cell(
    cell_m: float | None, extent: tuple[float, float, float, float], shape: str
) -> tuple[float, str]:
    """Return the cell size in metres and why: given, or sfhotspot's rule within MAX_CELLS."""
    if cell_m is not None:
        cell = float(cell_m)
        total = count_cells(extent, cell, shape)
        if total > MAX_CELLS:
            raise_problems(
                [
                    f"`cell_m` {cell:g} makes a grid of {total:,} cells (more than "
                    f"{MAX_CELLS:,}); pass a larger cell_m"
                ],
                "Invalid arguments to grid_counts",
            )
        return cell, "given"
    width, height = extent[2] - extent[0], extent[3] - extent[1]
    side = min(width, height)
    side_name = "shorter side"
    if side <= 0:
        side, side_name = max(width, height), "longer side (the events lie on a line)"
    if side <= 0:
        raise_problems(
            [
                "every event is at the same point and there is no boundary: no cell size "
                "can be chosen; pass cell_m"
            ],
            "Invalid arguments to grid_counts",
        )
    raw = side / DEFAULT_CELLS_ON_SHORT_SIDE
    cell = max(MIN_DEFAULT_CELL_M, math.floor(raw / CELL_ROUND_M) * CELL_ROUND_M)
    why = (
        f"default: {side_name} of the extent {side:,.0f} m / {DEFAULT_CELLS_ON_SHORT_SIDE} = "
        f"{raw:,.1f} m (sfhotspot's rule), rounded down to a multiple of {CELL_ROUND_M:g} m"
        f", at least {MIN_DEFAULT_CELL_M:g} m"
    )
    if count_cells(extent, cell, shape) > MAX_CELLS:
        area = max(width, CELL_ROUND_M) * max(height, CELL_ROUND_M)
        cell = math.ceil(math.sqrt(area / MAX_CELLS) / CELL_ROUND_M) * CELL_ROUND_M
        while count_cells(extent, cell, shape) > MAX_CELLS:
            cell += CELL_ROUND_M
        why += f"; enlarged to {cell:g} m to stay under {MAX_CELLS:,} cells"
    return float(cell), why


def count_cells(extent: tuple[float, float, float, float], cell: float, shape: str) -> int:
    """Cells of a grid of this cell size and shape over the extent (an upper bound)."""
    width, height = extent[2] - extent[0], extent[3] - extent[1]
    if shape == "square":
        return (math.ceil(width / cell) + 1) * (math.ceil(height / cell) + 1)
    return (math.ceil(width / cell) + 4) * (math.ceil(height / (cell * SQRT3 / 2)) + 4)
