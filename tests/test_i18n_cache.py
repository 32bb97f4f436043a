"""The translation helper reads the session's language once per run, not once per label."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ui import i18n


class CountingState(dict):
    """A stand-in for ``st.session_state`` that counts reads."""

    reads = 0

    def get(self, key, default=None):  # noqa: ANN001, ANN201
        self.reads += 1
        return super().get(key, default)


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> tuple[CountingState, list[object]]:
    state = CountingState()
    current: list[object] = [object()]  # the run context of "this thread"
    monkeypatch.setattr(i18n, "st", SimpleNamespace(session_state=state))
    monkeypatch.setattr(i18n, "get_script_run_ctx", lambda suppress_warning=False: current[0])
    monkeypatch.setattr(i18n, "_RUN", type(i18n._RUN)())
    return state, current


def test_labels_of_a_run_read_session_state_at_most_once(session: tuple[CountingState, list[object]]) -> None:
    state, current = session
    assert i18n.set_lang("English") == "en" and state[i18n._CHOSEN_KEY] == "en"
    labels = [i18n.t("filters") for _ in range(1000)]
    assert set(labels) == {i18n._labels()["filters"]["en"]} and state.reads == 0

    current[0] = object()  # another session's run on this thread: its own choice, read once
    state[i18n._CHOSEN_KEY] = "zh"
    assert {i18n.t("filters") for _ in range(100)} == {i18n._labels()["filters"]["zh"]}
    assert state.reads == 1
    with i18n.using("en"):  # a download built in English whatever the run's language
        assert i18n.t("filters") == i18n._labels()["filters"]["en"]


def test_outside_a_run_labels_are_in_the_default_language(
    session: tuple[CountingState, list[object]]
) -> None:
    state, current = session
    current[0] = None
    state[i18n._CHOSEN_KEY] = "en"
    assert i18n.lang() == i18n.DEFAULT_LANG and state.reads == 0
    assert i18n.t("no_such_key_at_all") == "no_such_key_at_all"
    assert i18n.t("filters") == i18n._labels()["filters"][i18n.DEFAULT_LANG]
