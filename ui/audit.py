"""The audit log: every sign-in attempt (and its outcome), one JSON line each.

Guessing and lock-out attempts must be visible to an administrator, and
``who changed what`` is already in the corrections file; this log holds the
rest. It lives beside the warehouse (``audit.log``) unless
``$STATS_AUDIT_LOG`` names another file, and goes to the logger
``stats.audit`` too. Passwords are never written; names are escaped and cut
to a sane length (a name is typed by anyone).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path

from ui import config

ENV_AUDIT_LOG = "STATS_AUDIT_LOG"
MAX_FIELD = 200
LOG = logging.getLogger("stats.audit")
_lock = threading.Lock()


def audit_path() -> Path:
    """``$STATS_AUDIT_LOG``, or ``audit.log`` beside the warehouse."""
    return Path(os.environ.get(ENV_AUDIT_LOG) or config.db_path().with_name("audit.log"))


def record(event: str, **fields: object) -> None:
    """Append one event; a log that cannot be written is reported to the logger, never to the visitor."""
    from etl.extract.read import display_name

    entry = {"at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "event": event}
    entry.update({k: display_name(str(v))[:MAX_FIELD] for k, v in fields.items()})
    line = json.dumps(entry, ensure_ascii=False)
    LOG.info("%s", line)
    try:
        path = audit_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")
    except OSError as exc:
        LOG.error("audit log not written (%s): %s", exc, line)
