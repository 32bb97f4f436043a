"""Data quality page: flagged values, unknown region/year, ingest errors, plans vs reports."""

from __future__ import annotations

from pathlib import Path

from conftest import seed_frame


def _all_text(at) -> str:
    frames = " ".join(df.value.to_string() for df in at.dataframe)
    return frames + " ".join(p.proto.label for p in at.get("page_link"))


def test_quality_page(open_page, seed_db: Path) -> None:
    at = open_page("pages/quality.py")
    text = _all_text(at)
    flagged = seed_frame(seed_db, "SELECT quote FROM v_values WHERE len(flags) > 0 AND doc_type = 'report'")
    assert len(flagged), "the seed build flags at least one value"
    assert all(q[:10] in text for q in flagged["quote"])
    unplaced = seed_frame(seed_db, "SELECT source_file FROM v_reports WHERE year IS NULL OR district = 'unknown'")
    assert all(f in text for f in unplaced["source_file"])
    failed = seed_frame(seed_db, "SELECT source_file FROM ingest_log WHERE status = 'failed'")
    assert len(failed) and all(f in text for f in failed["source_file"])
    assert any(s.value.startswith("计划与报告") for s in at.subheader)


def test_quality_filters_flagged(open_page, seed_db: Path) -> None:
    at = open_page("pages/quality.py")
    at.select_slider(key="years").set_range(2020, 2020).run()
    flagged_2020 = seed_frame(seed_db, "SELECT count(*) FROM v_values WHERE len(flags) > 0 AND year = 2020").iloc[0, 0]
    if flagged_2020 == 0:
        assert any("没有被标记" in s.value for s in at.success)


def test_quality_english(open_page) -> None:
    at = open_page("pages/quality.py", query={"lang": "English"})
    assert at.title[0].value == "Data quality"
    assert any(s.value == "Ingest errors" for s in at.subheader)
