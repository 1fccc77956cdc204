"""Figures one benchmark module leaves for another's summary (one pytest run, one process)."""

from __future__ import annotations

from typing import Any

FIGURES: dict[str, dict[str, Any]] = {}
