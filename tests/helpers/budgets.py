"""Query budgets shared by the tests of one page on different data (the Test Network, the
SERN demo data, a generated consortium): the page's queries must not grow with it."""

from __future__ import annotations

# The grid's queries: session, user; city; memberships; roles (coordinator, steering,
# partner, consortia of the coordinated cities); KPIs; lead cities of the consortium-level
# solutions; figures (this stage and the previous); stage reviews. The "My reporting"
# link reuses the cached roles.
GRID_BUDGET = 12
