"""Shared test set-up: quiet, deterministic, no network."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")
