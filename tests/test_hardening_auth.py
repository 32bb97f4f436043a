"""Sign-in abuse (issue 14, item 11): no lock-out of the real reviewer, no name discovery by timing, an audit trail."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ui import audit, auth

PASSWORD = "correct horse battery staple"


@pytest.fixture
def reviewers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    import streamlit as st

    stored = {"alice": auth.hash_password(PASSWORD)}  # the default cost, as `python -m ui.auth hash` writes
    monkeypatch.setattr(auth, "_secrets", lambda: {"reviewers": stored})
    monkeypatch.setattr(auth, "_failures", {})
    monkeypatch.setenv(audit.ENV_AUDIT_LOG, str(tmp_path / "audit.log"))
    yield stored
    # outside a Streamlit session, session state is the process's: sign out for the tests that follow
    st.session_state.pop(auth.SESSION_KEY, None)
    st.session_state.pop(auth.THROTTLED_KEY, None)


def _seconds(name: str) -> float:
    """The fastest of four failed sign-ins: the least disturbed by other work on the machine."""
    times = []
    for _ in range(4):
        started = time.perf_counter()
        assert not auth.sign_in(name, "wrong password", client=f"timing-{name}")
        times.append(time.perf_counter() - started)
    return min(times)


def test_a_known_and_an_unknown_name_take_as_long(reviewers: dict[str, str]) -> None:
    # the unknown name is checked against a hash of the reviewers' cost (it was a sixth of it)
    assert auth._dummy_hash(auth._usual_iterations(reviewers)).split("$")[1] == str(auth.DEFAULT_ITERATIONS)
    known, unknown = _seconds("alice"), _seconds("nobody")
    assert 0.5 < unknown / known < 2.0, (known, unknown)


def test_guessing_from_one_client_does_not_lock_out_the_reviewer(reviewers: dict[str, str]) -> None:
    for _ in range(auth.MAX_FAILURES + 3):
        assert not auth.sign_in("alice", "guess", client="203.0.113.9")
    assert auth.wait_seconds("203.0.113.9", "alice") > 0  # the guesser waits
    assert auth.sign_in("alice", PASSWORD, client="198.51.100.7")  # the reviewer, elsewhere, does not


def test_the_wait_grows_but_is_bounded(reviewers: dict[str, str]) -> None:
    now = time.monotonic()
    waits = []
    for n in range(30):
        auth._record_failure("203.0.113.9", "alice", now + n)
        waits.append(auth.wait_seconds("203.0.113.9", "alice", now + n))
    assert waits[auth.MAX_FAILURES - 2] == 0 and waits[auth.MAX_FAILURES] > waits[auth.MAX_FAILURES - 1] > 0
    assert max(waits) == auth.MAX_DELAY_SECONDS
    # and is forgotten after a quiet spell
    assert auth.wait_seconds("203.0.113.9", "alice", now + 30 + auth.FORGET_SECONDS + 1) == 0


def test_every_attempt_is_audited_without_the_password(reviewers: dict[str, str], tmp_path: Path) -> None:
    auth.sign_in("alice", "guess-1", client="c1")
    auth.sign_in("nobody\n{injected}", "guess-2", client="c1")
    for _ in range(auth.MAX_FAILURES):
        auth.sign_in("alice", "guess-3", client="c2")
    auth.sign_in("alice", PASSWORD, client="c2")  # throttled
    auth.sign_in("alice", PASSWORD, client="c3")
    lines = (tmp_path / "audit.log").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["outcome"] for e in entries] == ["wrong", "wrong", *["wrong"] * auth.MAX_FAILURES, "throttled", "ok"]
    assert entries[1]["name"] == "nobody\\x0a{injected}" and len(lines) == len(entries)
    assert not any("guess" in line or PASSWORD in line for line in lines)
    assert {e["client"] for e in entries} == {"c1", "c2", "c3"}
