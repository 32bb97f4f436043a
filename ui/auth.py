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

#: After this many failed sign-ins for one name, further attempts wait out ``LOCKOUT_SECONDS``.
MAX_FAILURES = 5
LOCKOUT_SECONDS = 300.0

_failures: dict[str, list[float]] = {}
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
def _dummy_hash() -> str:
    """A hash to check against when the name is unknown, so that a wrong name takes as
    long as a wrong password and does not reveal who the reviewers are."""
    return hash_password("-", MIN_ITERATIONS, b"\0" * SALT_BYTES)


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


def _locked_out(name: str, now: float) -> bool:
    with _failures_lock:
        recent = [t0 for t0 in _failures.get(name, []) if now - t0 < LOCKOUT_SECONDS]
        _failures[name] = recent
        return len(recent) >= MAX_FAILURES


def _record_failure(name: str, now: float) -> None:
    with _failures_lock:
        _failures.setdefault(name, []).append(now)


def sign_in(name: str, password: str) -> bool:
    """Check a name and password against the secrets; on success the session is signed in.

    Failed attempts are counted per name across sessions, and a name with
    too many recent failures is refused without checking the password, to
    slow down guessing.
    """
    name = (name or "").strip()
    now = time.monotonic()
    if not name or not password or _locked_out(name, now):
        return False
    stored = reviewers().get(name)
    ok = verify_password(password, stored if stored is not None else _dummy_hash()) and stored is not None
    if not ok:
        _record_failure(name, now)
        return False
    st.session_state[SESSION_KEY] = Reviewer(name, "password")
    return True


def sign_out() -> None:
    """Forget the session's reviewer (and the provider's session, if that is how they signed in)."""
    found = st.session_state.pop(SESSION_KEY, None)
    if isinstance(found, Reviewer) and found.method == "oidc":
        st.logout()


# --------------------------------------------------------------------------- widget


FAILED_KEY = "_auth_failed"


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
        if failed:
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
