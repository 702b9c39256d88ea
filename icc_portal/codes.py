"""Codes people number things with ("1.2", "1.10", "1.3a"): KPIs, activities.

A word shared by several apps (kpis, roadmaps), so it lives below them all.
"""

from __future__ import annotations

import re


def natural_key(code: str) -> tuple:
    """Sort KPI and activity codes as people number them: "1.2" before "1.10", "1.3" before
    "1.3a"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.findall(r"\d+|\D+", code)
    )
