"""Reviewer sign-in: viewing is open, writing (uploads, corrections) needs a signed-in reviewer.

Reviewers are listed in Streamlit's secrets (``.streamlit/secrets.toml``, never
committed) with a salted PBKDF2 hash of their password::

    [reviewers]
    alice = "pbkdf2_sha256$600000$<salt_hex>$<hash_hex>"

``python -m ui.auth hash`` prints such a hash for a password typed at a
prompt. Where an identity provider is configured (an ``[auth]`` section, see
Streamlit's ``st.login``), people it signs in count as reviewers when their
e-mail address is listed in ``reviewer_emails``.

The identity lives in session state under a private key as a
:class:`Reviewer` object, which no widget can produce, so a browser cannot
forge it; every write function calls :func:`require_reviewer` itself instead
of trusting that the page hid its buttons. The check is made against the
secrets at each call, so removing a reviewer from the secrets revokes their
open sessions at their next write.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import hashlib
import hmac
import math
import secrets as pysecrets
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui.i18n import t

SCHEME = "pbkdf2_sha256"
#: OWASP's 2023 figure for PBKDF2-HMAC-SHA256; what ``python -m ui.auth hash`` writes.
DEFAULT_ITERATIONS = 600_000
#: Hashes with fewer iterations are refused: a cheap hash leaks the password if the secrets file does.
MIN_ITERATIONS = 100_000
SALT_BYTES = 16

SESSION_KEY = "_auth_reviewer"
SECRETS_SECTION = "reviewers"
EMAILS_KEY = "reviewer_emails"

#: Failed sign-ins for one name from one client before each further attempt has to wait.
MAX_FAILURES = 5
#: The first wait; it doubles with each further failure, up to ``MAX_DELAY_SECONDS``.
BASE_DELAY_SECONDS = 5.0
#: The longest wait: throttling slows guessing but never locks a name out for long, and only from that client.
MAX_DELAY_SECONDS = 120.0
#: A client's failures for a name are forgotten after this long without a new one.
FORGET_SECONDS = 900.0

# (client, name) -> (failures, time of the last one, earliest time of the next attempt)
_failures: dict[tuple[str, str], tuple[int, float, float]] = {}
_failures_lock = threading.Lock()


@dataclass(frozen=True)
class Reviewer:
    """Who is signed in and how (``password`` or ``oidc``)."""

    name: str
    method: str


class NotSignedIn(PermissionError):
    """A write was attempted without a signed-in reviewer."""

    def __init__(self, message: str = "a reviewer must be signed in to change data") -> None:
        super().__init__(message)


# --------------------------------------------------------------------------- hashes


def hash_password(password: str, iterations: int = DEFAULT_ITERATIONS, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$<iterations>$<salt_hex>$<hash_hex>`` for ``password``.

    A random salt per hash means two reviewers with the same password get
    different hashes, and a leaked secrets file cannot be matched against a
    precomputed table.
    """
    if not password:
        raise ValueError("empty password")
    if iterations < MIN_ITERATIONS:
        raise ValueError(f"at least {MIN_ITERATIONS} iterations")
    salt = salt if salt is not None else pysecrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return f"{SCHEME}${iterations}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``; a malformed or weak stored hash never matches.

    ``hmac.compare_digest`` keeps the comparison's duration independent of
    how many leading bytes match.
    """
    try:
        scheme, iterations_text, salt_hex, hash_hex = str(stored).split("$")
        iterations = int(iterations_text)
        salt, expected = bytes.fromhex(salt_hex), bytes.fromhex(hash_hex)
    except ValueError:
        return False
    if scheme != SCHEME or iterations < MIN_ITERATIONS or not salt or not expected:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(digest, expected)


@functools.cache
def _dummy_hash(iterations: int = DEFAULT_ITERATIONS) -> str:
    """A hash to check against when the name is unknown, so that a wrong name takes as
    long as a wrong password and does not reveal who the reviewers are.

    It must cost what the reviewers' hashes cost (:func:`_usual_iterations`):
    a cheaper one told a known name (0.24 s) from an unknown one (0.08 s).
    """
    return hash_password("-", max(iterations, MIN_ITERATIONS), b"\0" * SALT_BYTES)


def _usual_iterations(stored: Mapping[str, str]) -> int:
    """The iteration count most reviewers' hashes use (the default when there are none)."""
    counts: dict[int, int] = {}
    for value in stored.values():
        parts = str(value).split("$")
        if len(parts) == 4 and parts[1].isdigit():
            counts[int(parts[1])] = counts.get(int(parts[1]), 0) + 1
    return max(counts, key=lambda n: (counts[n], n)) if counts else DEFAULT_ITERATIONS


# --------------------------------------------------------------------------- secrets


def _secrets() -> Mapping[str, Any]:
    """The app's secrets, or nothing when no secrets file exists (viewing needs none)."""
    store = st.secrets
    if not store.load_if_toml_exists():
        return {}
    return store


def reviewers() -> dict[str, str]:
    """Reviewer name → password hash, from the ``[reviewers]`` secrets section."""
    section = _secrets().get(SECRETS_SECTION)
    if not isinstance(section, Mapping):
        return {}
    return {str(name): str(value) for name, value in section.items() if isinstance(value, str)}


def reviewer_emails() -> set[str]:
    """E-mail addresses an identity provider may sign in as reviewers (``reviewer_emails``)."""
    listed = _secrets().get(EMAILS_KEY)
    if isinstance(listed, str):
        listed = [listed]
    if not isinstance(listed, Sequence):
        return set()
    return {str(e).strip().lower() for e in listed if str(e).strip()}


def provider_configured() -> bool:
    """Whether ``st.login`` can be offered (an ``[auth]`` section exists)."""
    return isinstance(_secrets().get("auth"), Mapping)


def _oidc_reviewer() -> Reviewer | None:
    if not provider_configured():
        return None
    user = st.user
    if user.get("is_logged_in") is not True:
        return None
    email = str(user.get("email") or "").strip().lower()
    return Reviewer(email, "oidc") if email and email in reviewer_emails() else None


# --------------------------------------------------------------------------- session


def current_reviewer() -> Reviewer | None:
    """The signed-in reviewer, re-checked against the secrets, or None."""
    found = st.session_state.get(SESSION_KEY)
    if isinstance(found, Reviewer):
        if found.method == "password" and found.name in reviewers():
            return found
        if found.method == "oidc" and found == _oidc_reviewer():
            return found
        st.session_state.pop(SESSION_KEY, None)  # revoked since sign-in
    oidc = _oidc_reviewer()
    if oidc is not None:
        st.session_state[SESSION_KEY] = oidc
    return oidc


def require_reviewer() -> str:
    """The signed-in reviewer's name for the audit trail; raises :class:`NotSignedIn` otherwise.

    Every function that writes calls this first, on the server, whatever the
    page showed.
    """
    reviewer = current_reviewer()
    if reviewer is None:
        raise NotSignedIn()
    return reviewer.name


def client_id() -> str:
    """Who is knocking: the peer's address, or behind our reverse proxy (a loopback peer) its ``X-Real-IP``.

    The proxy's own address would put every visitor under one key; a header
    from any other peer is not trusted (anyone can send one).
    """
    try:
        ip = st.context.ip_address
        headers = st.context.headers
    except Exception:  # noqa: BLE001 - outside a browser session (tests, scripts)
        return "local"
    ip = ip if isinstance(ip, str) else None
    if ip in (None, "127.0.0.1", "::1"):
        forwarded = headers.get("X-Real-Ip") if headers is not None else None
        if isinstance(forwarded, str) and forwarded.strip():
            return forwarded.strip()[:64]
    return ip or "local"


def wait_seconds(client: str, name: str, now: float | None = None) -> float:
    """How long ``client`` must wait before trying ``name`` again (0 when it may try now)."""
    now = time.monotonic() if now is None else now
    with _failures_lock:
        state = _failures.get((client, name))
        if state is None:
            return 0.0
        if now - state[1] > FORGET_SECONDS:
            del _failures[(client, name)]
            return 0.0
        return max(0.0, state[2] - now)


def _record_failure(client: str, name: str, now: float) -> None:
    with _failures_lock:
        count = _failures.get((client, name), (0, now, now))[0] + 1
        delay = 0.0
        if count >= MAX_FAILURES:
            delay = min(BASE_DELAY_SECONDS * 2 ** (count - MAX_FAILURES), MAX_DELAY_SECONDS)
        _failures[(client, name)] = (count, now, now + delay)
        if len(_failures) > 10_000:  # a flood of names must not fill the memory
            for key in [k for k, v in _failures.items() if now - v[1] > FORGET_SECONDS]:
                del _failures[key]


def sign_in(name: str, password: str, client: str | None = None) -> bool:
    """Check a name and password against the secrets; on success the session is signed in.

    Every attempt goes to the audit log (ui/audit.py). Failures are counted
    per client and name: after ``MAX_FAILURES`` the client waits before each
    further try for that name, 5 s doubling up to 2 minutes, so guessing is
    slow while the real reviewer, from another client, is never locked out
    and, from the same one, waits at most ``MAX_DELAY_SECONDS``. A known and
    an unknown name cost the same hash (:func:`_dummy_hash`).
    """
    from ui import audit

    name = (name or "").strip()
    client = client_id() if client is None else client
    now = time.monotonic()
    if not name or not password:
        audit.record("sign_in", name=name, client=client, outcome="empty")
        return False
    wait = wait_seconds(client, name, now)
    if wait > 0:
        st.session_state[THROTTLED_KEY] = math.ceil(wait)
        audit.record("sign_in", name=name, client=client, outcome="throttled", wait_s=math.ceil(wait))
        return False
    known = reviewers()
    stored = known.get(name)
    ok = verify_password(password, stored if stored is not None else _dummy_hash(_usual_iterations(known)))
    ok = ok and stored is not None
    audit.record("sign_in", name=name, client=client, outcome="ok" if ok else "wrong")
    if not ok:
        _record_failure(client, name, now)
        return False
    with _failures_lock:
        _failures.pop((client, name), None)
    st.session_state[SESSION_KEY] = Reviewer(name, "password")
    return True


def sign_out() -> None:
    """Forget the session's reviewer (and the provider's session, if that is how they signed in)."""
    found = st.session_state.pop(SESSION_KEY, None)
    if isinstance(found, Reviewer) and found.method == "oidc":
        st.logout()


# --------------------------------------------------------------------------- widget


FAILED_KEY = "_auth_failed"
THROTTLED_KEY = "_auth_throttled"


def _submit(key: str) -> None:
    """The sign-in form's callback: check the submitted name and password.

    Done in the callback, which runs before the page script, so the sign-in
    holds even when the page is run twice for one click (a deep link's first
    run re-enters through ``dashboard.py``).
    """
    name = str(st.session_state.get(f"{key}__name") or "")
    password = str(st.session_state.get(f"{key}__password") or "")
    if not sign_in(name, password):
        st.session_state[FAILED_KEY] = True


def account_box(key: str, expanded: bool = True) -> Reviewer | None:
    """Who is signed in, with a sign-out button; otherwise the sign-in form (in an expander,
    open when ``expanded``: pages meant for reading keep it folded).

    ``key`` keeps the widgets of two pages apart. The form clears on submit
    so the password does not stay in session state.
    """
    reviewer = current_reviewer()
    failed = st.session_state.pop(FAILED_KEY, False)
    throttled = st.session_state.pop(THROTTLED_KEY, None)
    if reviewer is not None:
        left, right = st.columns([4, 1])
        left.success(t("auth.signed_in", name=reviewer.name), icon=":material/verified_user:")
        right.button(t("auth.sign_out"), key=f"{key}__sign_out", on_click=sign_out)
        return reviewer
    with st.expander(t("auth.sign_in_title"), expanded=expanded or failed, icon=":material/lock:"):
        st.caption(t("auth.sign_in_note"))
        if not reviewers() and not provider_configured():
            st.warning(t("auth.no_reviewers"))
        with st.form(f"{key}__sign_in", clear_on_submit=True, border=False):
            st.text_input(t("auth.name"), key=f"{key}__name")
            st.text_input(t("auth.password"), type="password", key=f"{key}__password")
            st.form_submit_button(t("auth.sign_in"), key=f"{key}__submit", on_click=_submit, args=(key,))
        if throttled:
            st.error(t("auth.throttled", seconds=throttled))
        elif failed:
            st.error(t("auth.failed"))
        if provider_configured():
            st.button(t("auth.provider"), key=f"{key}__login", on_click=st.login)
    return None


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.auth hash``: print a hash for a password typed twice at a prompt."""
    parser = argparse.ArgumentParser(prog="python -m ui.auth", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    hashing = sub.add_parser("hash", help="print a reviewer password hash for .streamlit/secrets.toml")
    hashing.add_argument("--iterations", type=int, default=DEFAULT_ITERATIONS)
    hashing.add_argument("--name", default="name", help="reviewer name for the printed secrets line")
    args = parser.parse_args(argv)
    if args.iterations < MIN_ITERATIONS:
        print(f"at least {MIN_ITERATIONS} iterations", file=sys.stderr)
        return 2
    password = getpass.getpass("Password: ")
    if not password:
        print("empty password", file=sys.stderr)
        return 1
    if getpass.getpass("Repeat: ") != password:
        print("the passwords differ", file=sys.stderr)
        return 1
    hashed = hash_password(password, args.iterations)
    print(f"# add under [reviewers] in .streamlit/secrets.toml:\n# {args.name} = \"{hashed}\"", file=sys.stderr)
    print(hashed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
