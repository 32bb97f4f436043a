"""Every page of the menu opens on the seed warehouse, in both languages, without an exception.

The page tests look at what each page shows; this one guards the wiring between pages and the
modules they import (a merge that renames a helper breaks a page before any figure is drawn).
"""

from __future__ import annotations

import pytest

from ui.nav import PAGES


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("path", [path for _, path, _ in PAGES])
def test_page_opens(open_page, path: str, lang: str) -> None:
    at = open_page(path, query={"lang": lang})  # open_page asserts that the run raised nothing
    assert at.title or at.header or at.markdown, "the page drew something"
