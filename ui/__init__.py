"""Dashboard building blocks.

Pages in ``pages/`` stay thin: every query lives in :mod:`ui.queries`, every
figure in :mod:`ui.charts`, the sidebar in :mod:`ui.filters`, the words in
``labels.yaml`` and which indicators a page shows in ``pages.yaml``. That split
lets the SQL and the byte builders be tested without a browser.
"""
