"""Review queue, correction history on the Sources page, reviewer sign-in and the hash helper."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import seed_frame
from review_helpers import HASH, PASSWORD, Workspace, disk_state, make_workspace, messages, open_app, sign_in

from etl.warehouse.build import build
from etl.warehouse.corrections import list_corrections
from ui import auth, places, review


@pytest.fixture
def ws(seed_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    return make_workspace(seed_db, tmp_path / "w", monkeypatch)


def queue_key(at) -> str:  # noqa: ANN001 - an AppTest
    keys = [k for k in at.session_state if str(k).startswith("review__table_")]
    assert len(keys) == 1, keys
    return keys[0]


def select_row(at, row: int) -> None:  # noqa: ANN001 - an AppTest
    at.session_state[queue_key(at)] = {"selection": {"rows": [row], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def expected_queue(db: Path) -> pd.DataFrame:
    return seed_frame(db, review.QUEUE_SQL, [review.DEFAULT_CONFIDENCE, review.QUEUE_LIMIT])


# --------------------------------------------------------------------------- queue


def test_queue_lists_low_confidence_flagged_and_unplaced(ws: Workspace) -> None:
    items = expected_queue(ws.db)
    assert set(items["item"]) == {"low_confidence", "flagged", "unplaced"}, "the seeds have one of each"
    low = items[items["item"] == "low_confidence"]
    assert (low["confidence"] < review.DEFAULT_CONFIDENCE).all()
    flagged = seed_frame(ws.db, "SELECT value_id FROM v_values WHERE len(flags) > 0")["value_id"]
    assert set(flagged) <= set(items["value_id"].dropna())
    unplaced = seed_frame(ws.db, "SELECT report_id FROM v_reports WHERE year IS NULL OR district = 'unknown'")
    assert set(unplaced["report_id"]) <= set(items.loc[items["item"] == "unplaced", "report_id"])

    at = open_app("pages/review.py")
    shown = at.dataframe[0].value
    assert len(shown) == len(items)
    assert all(link.startswith("sources?report=") for link in shown["link"]), "each item links to its source"
    assert "登录后可在此更正" not in messages(at), "no form until an item is chosen"
    select_row(at, 0)
    links = [p.proto for p in at.get("page_link")]
    assert any(p.page == "sources" and items.iloc[0]["report_id"] in p.query_string for p in links)
    assert "登录后可在此更正" in messages(at), "viewing is open, correcting needs a sign-in"
    assert not at.radio and not at.number_input


def test_queue_is_oldest_first(ws: Workspace) -> None:
    newer = "2024年统计法治工作报告\n全年检查企业30家，发现违法企业2家。\n".encode()
    (ws.raw / "newer.txt").write_bytes(newer)
    build(ws.raw, ws.db, jobs=1, log=lambda *_: None)
    items = expected_queue(ws.db)
    assert items["ingested_at"].is_monotonic_increasing
    assert items.iloc[-1]["source_file"] == "newer.txt", "the report loaded last comes last"


def test_review_correction_recorded_and_shown_in_sources_history(ws: Workspace) -> None:
    items = expected_queue(ws.db)
    row = int(items.index[items["item"] == "flagged"][0])
    item = items.iloc[row]
    at = sign_in(open_app("pages/review.py"), "review")
    select_row(at, row)
    at.radio[0].set_value("edit").run()
    at.number_input[0].set_value(12000).run()
    reason_key = [t.key for t in at.text_input if t.key.endswith("__reason")][0]
    submit = [b for b in at.button if b.key.endswith("__submit") and b.key != "review__submit"][0]
    submit.click().run()
    assert "请填写理由" in messages(at), "a reason is required"
    assert list_corrections(ws.corrections).empty

    at.text_input(key=reason_key).input("“万余户”应为户数 12000").run()
    submit = [b for b in at.button if b.key.endswith("__submit") and b.key != "review__submit"][0]
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "已保存 1 条更正" in messages(at), messages(at)

    log = list_corrections(ws.corrections, item["report_id"])
    assert len(log) == 1
    c = log.iloc[0]
    assert (c["kind"], c["indicator"], c["who"]) == ("value", item["indicator"], "alice")
    assert json.loads(c["old_value"])["value"] == item["value"]
    assert json.loads(c["new_value"]) == {"value": 12000, "qualifier": item["qualifier"]}
    assert c["reason"] == "“万余户”应为户数 12000" and pd.notna(c["created_at"])
    after = expected_queue(ws.db)
    assert item["value_id"] not in set(after["value_id"].dropna()), "a corrected item leaves the queue"
    assert len(at.dataframe[0].value) == len(after), "the page shows the shorter queue at once"

    sources = open_app("pages/sources.py")
    sources.query_params["report"] = item["report_id"]
    sources.query_params["value"] = item["value_id"]
    sources.run()
    history = next(d.value for d in sources.dataframe if "审核员" in d.value.columns)
    assert len(history) == 1
    record = history.iloc[0]
    assert record["审核员"] == "alice" and record["理由"] == "“万余户”应为户数 12000"
    assert record["新值"] == "≥12,000" and record["原值"].startswith("≥120,000,000")
    assert record["状态"] == "生效" and pd.notna(record["时间"])


def test_unplaced_report_confirmed_or_placed(ws: Workspace) -> None:
    items = expected_queue(ws.db)
    row = int(items.index[items["item"] == "unplaced"][0])
    report_id = items.iloc[row]["report_id"]
    at = sign_in(open_app("pages/review.py"), "review")
    select_row(at, row)
    prefix = [s.key for s in at.selectbox if s.key and s.key.endswith("__province")][0].removesuffix("__province")
    at.selectbox(key=f"{prefix}__province").set_value("440000").run()
    at.selectbox(key=f"{prefix}__city").set_value("441800").run()
    at.selectbox(key=f"{prefix}__district").set_value("441803").run()
    reason_key = [t.key for t in at.text_input if t.key.endswith("__reason")][0]
    at.text_input(key=reason_key).input("附件抬头为清新区统计局").run()
    [b for b in at.button if b.key.endswith("__submit") and b.key != "review__submit"][0].click().run()
    assert "已保存" in messages(at), messages(at)
    placed = seed_frame(ws.db, "SELECT province, city, district, adcode FROM v_reports WHERE report_id = ?",
                        [report_id]).iloc[0]
    assert list(placed) == ["广东省", "清远市", "清新区", "441803"]
    assert report_id not in set(expected_queue(ws.db)["report_id"])


def test_review_write_without_sign_in_is_refused(ws: Workspace) -> None:
    before = disk_state(ws)
    at = open_app("pages/review.py")
    select_row(at, 0)
    assert not [b for b in at.button if b.key and b.key.endswith("__submit") and b.key != "review__submit"]
    assert disk_state(ws) == before


# --------------------------------------------------------------------------- decisions


def test_value_decisions() -> None:
    original = pd.DataFrame({"indicator": ["a", "b", "c", "d"], "value": [1.0, 2.0, 3.0, 4.0],
                             "qualifier": ["exact"] * 4, "quote": ["q1", "q2", "q3", "q4"]})
    edited = original.assign(reject=[False, True, False, False], reason=["", "", "typo", ""])
    edited.loc[2, "value"] = 30.0
    edited.loc[3, "qualifier"] = "at_least"
    pending, missing = review.value_decisions(original, edited)
    assert [p.indicator for p in pending] == ["c"] and missing == ["b", "d"]
    pending, missing = review.value_decisions(original, edited, default_reason="checked")
    assert [(p.kind, p.indicator, p.new_value, p.reason) for p in pending] == [
        ("reject_value", "b", None, "checked"),
        ("value", "c", {"value": 30, "qualifier": "exact"}, "typo"),
        ("value", "d", {"value": 4, "qualifier": "at_least"}, "checked"),
    ]
    assert pending[1].old_value == {"value": 3, "qualifier": "exact", "quote": "q3"}
    assert not missing


def test_metadata_and_report_item_decisions() -> None:
    old = {"province": "unknown", "city": "unknown", "district": "unknown", "adcode": "unknown", "year": None,
           "doc_type": "plan"}
    assert review.metadata_decisions(old, dict(old), "") == ([], [])
    new = {**places.region_of("120000", "120000", "120103"), "year": 2024, "doc_type": "report"}
    pending, missing = review.metadata_decisions(old, new, "")
    assert not pending and missing == ["region", "year", "doc_type"]
    pending, _ = review.metadata_decisions(old, new, "title")
    assert [p.kind for p in pending] == ["region", "year", "doc_type"]
    review.check(pending)
    # Confirming a report's unknown region (nothing changed) records it, so it leaves the queue.
    pending, missing = review.report_item_corrections(old, dict(old), "a plan for every district", ["region"])
    assert [(p.kind, p.new_value["district"]) for p in pending] == [("region", "unknown")] and not missing


def test_check_refuses_bad_batches_before_writing() -> None:
    with pytest.raises(ValueError, match="reason"):
        review.check([review.PendingCorrection("year", 2024, "  ")])
    with pytest.raises(ValueError, match="catalogue"):
        review.check([review.PendingCorrection("value", 3, "r", indicator="no_such_indicator")])


def test_places_round_trip() -> None:
    for adcode, names in {
        "120116": ("天津市", "天津市", "滨海新区"),
        "441803": ("广东省", "清远市", "清新区"),
        "310107": ("上海市", "上海市", "普陀区"),
        "429004": ("湖北省", "unknown", "仙桃市"),
    }.items():
        chosen = places.selection_of(adcode)
        region = places.region_of(*chosen)
        assert (region["province"], region["city"], region["district"], region["adcode"]) == (*names, adcode)
        assert chosen[2] in places.districts(chosen[1]) and chosen[1] in places.cities(chosen[0])
    assert places.region_of("unknown", "unknown", "unknown")["adcode"] == "unknown"
    assert places.region_of("440000", "441800", "unknown") == {
        "province": "广东省", "city": "清远市", "district": "unknown", "adcode": "441800"}


def test_describe() -> None:
    assert review.describe("value", '{"value": 12, "qualifier": "at_least"}') == "≥12"
    assert review.describe("reject_value", "null") == "—"
    assert review.describe("region", '{"province": "天津市", "city": "天津市", "district": "河西区"}') == \
        "天津市 / 天津市 / 河西区"
    assert review.describe("year", "2023") == "2023"


# --------------------------------------------------------------------------- sign-in


def test_hash_and_verify() -> None:
    hashed = auth.hash_password("秘密 password", auth.MIN_ITERATIONS)
    scheme, iterations, salt, digest = hashed.split("$")
    assert scheme == "pbkdf2_sha256" and int(iterations) == auth.MIN_ITERATIONS and len(salt) == 32
    assert auth.verify_password("秘密 password", hashed)
    assert not auth.verify_password("秘密 Password", hashed)
    assert auth.hash_password("x", auth.MIN_ITERATIONS) != auth.hash_password("x", auth.MIN_ITERATIONS), "salted"
    weak = auth.hash_password("x", auth.MIN_ITERATIONS).replace(f"${auth.MIN_ITERATIONS}$", "$1000$")
    for bad in ("", "plain", "md5$1$aa$bb", weak, "pbkdf2_sha256$x$zz$yy", HASH + "$extra"):
        assert not auth.verify_password("x", bad)
    with pytest.raises(ValueError):
        auth.hash_password("x", 10)


def test_hash_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert auth.main(["hash", "--iterations", str(auth.MIN_ITERATIONS), "--name", "alice"]) == 0
    out, err = capsys.readouterr()
    assert auth.verify_password(PASSWORD, out.strip()) and "[reviewers]" in err
    answers = iter(["one", "two"])
    assert auth.main(["hash"]) == 1, "the passwords must match"
    answers = iter([""])
    assert auth.main(["hash"]) == 1, "no empty password"


def test_repeated_failures_lock_a_name(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_failures", {})
    at = open_app("pages/upload.py")
    for _ in range(auth.MAX_FAILURES):
        sign_in(at, "upload", password="guess")
    sign_in(at, "upload")  # the right password, too soon: this client waits (backoff, not a lock-out)
    assert not at.file_uploader and "尝试次数过多" in messages(at)
    monkeypatch.setattr(auth, "_failures", {})
    sign_in(at, "upload")
    assert at.file_uploader and "已登录审核员：alice" in messages(at)
    at.button(key="upload__sign_out").click().run()
    assert not at.file_uploader


def test_no_secrets_no_writer(ws: Workspace) -> None:
    at = open_app("pages/upload.py", secrets={"unrelated": "x"})
    assert "尚未配置审核员" in messages(at)
    sign_in(at, "upload")
    assert not at.file_uploader


def test_pages_in_english(ws: Workspace) -> None:
    from conftest import ROOT
    from review_helpers import SECRETS
    from streamlit.testing.v1 import AppTest

    for page, title in (("pages/upload.py", "Upload & review"), ("pages/review.py", "Review queue")):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.secrets = SECRETS
        at.query_params["lang"] = "English"
        at.run()
        at.switch_page(page).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.title[0].value == title
        assert "Reviewer sign-in" in [e.label for e in at.expander]
