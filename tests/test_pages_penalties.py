"""Penalties page on the seed warehouse."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_indicator_page


def test_penalties_page(open_page, seed_db: Path) -> None:
    assert_indicator_page(open_page, seed_db, "pages/penalties.py", "penalties")


def test_funnel_only_for_reports_giving_every_step(open_page, seed_db: Path) -> None:
    from conftest import plotly_specs, seed_frame

    from ui import catalog

    steps = list(catalog.indicator_ids("penalties", "funnel"))
    complete = seed_frame(
        seed_db,
        "SELECT report_id FROM v_values WHERE list_contains(?, indicator) AND doc_type = 'report' "
        "GROUP BY report_id HAVING count(DISTINCT indicator) = ?",
        [steps, len(steps)],
    )
    at = open_page("pages/penalties.py")
    funnels = [t for spec in plotly_specs(at) for t in spec["data"] if t.get("type") == "funnel"]
    assert len(funnels) == len(complete)
    for trace in funnels:
        assert len(trace["y"]) == len(steps), "one bar per step"


def test_outreach_qualifier_shown() -> None:
    """``≥``/``≈``/``≤`` travel with the number; missing is "—", never 0."""
    from ui.fmt import qualified

    assert qualified(20, "at_least") == "≥20"
    assert qualified(20, "approx") == "≈20"
    assert qualified(20, "at_most") == "≤20"
    assert qualified(None, "exact") == "—"
    assert qualified(0, "exact") == "0"
