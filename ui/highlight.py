"""Report text with every extracted value marked at its offsets, safely.

Report text comes from outside and is never rendered raw: each piece between
offsets is passed through :func:`html.escape` before any ``<mark>`` tag is
put around it, so markup in a report shows as text. Offsets refer to the raw
text, which is why the text is escaped piecewise rather than escaped whole and
then offset (escaping changes lengths).
"""

from __future__ import annotations

import html
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """One value's place in the text; ``title`` is shown on hover."""

    start: int
    end: int
    value_id: str
    title: str


def valid(span: Span, text: str) -> bool:
    """Offsets inside the text and non-empty; other spans are listed but not marked."""
    return 0 <= span.start < span.end <= len(text)


def render(text: str, spans: list[Span], selected: str | None = None) -> str:
    """HTML for ``text`` with ``<mark>`` around each span; overlapping spans share marks.

    The selected value's mark gets the ``sel`` class and an ``id`` so it stands out.
    """
    good = [s for s in spans if valid(s, text)]
    cuts = sorted({0, len(text), *(s.start for s in good), *(s.end for s in good)})
    out: list[str] = []
    anchored = False
    for a, b in zip(cuts, cuts[1:], strict=False):
        piece = html.escape(text[a:b])
        covering = [s for s in good if s.start <= a and b <= s.end]
        if not covering:
            out.append(piece)
            continue
        title = html.escape("；".join(dict.fromkeys(s.title for s in covering)), quote=True)
        is_sel = selected is not None and any(s.value_id == selected for s in covering)
        attrs = ' class="sel"' if is_sel else ""
        if is_sel and not anchored:
            attrs += ' id="selected-value"'
            anchored = True
        out.append(f'<mark{attrs} title="{title}">{piece}</mark>')
    return "".join(out)


STYLE = """
<style>
.report-text { position: relative; white-space: pre-wrap; line-height: 1.9; font-size: 1rem; max-height: 75vh;
  overflow-y: auto; padding: 1rem 1.2rem; border: 1px solid #d9dee5; border-radius: 8px; background: #fff; }
.report-text mark { background: #fff1b8; padding: 0 2px; border-radius: 3px; }
.report-text mark.sel { background: #ffb347; outline: 2px solid #e0722b; }
</style>
"""


#: Scrolls the text box so the selected value stands a third of the way down, instead of the box
#: opening at the top with the value far below. A constant: no report text ever reaches a script.
SCROLL = """
<script>
(() => {
  const show = () => {
    const mark = document.getElementById("selected-value");
    if (!mark) return false;
    const box = mark.closest(".report-text");
    box.scrollTop = Math.max(0, mark.offsetTop - box.clientHeight / 3);
    const r = box.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) box.scrollIntoView({block: "nearest"});
    return true;
  };
  let tries = 0;
  const again = () => { if (!show() && ++tries < 50) setTimeout(again, 100); };
  again();
})();
</script>
"""


def page_html(text: str, spans: list[Span], selected: str | None = None) -> str:
    """The full block for ``st.html``: style plus the marked text (plus the scroll when a value is selected;
    render it with ``unsafe_allow_javascript`` for that, the script being the constant :data:`SCROLL`)."""
    block = STYLE + f'<div class="report-text">{render(text, spans, selected)}</div>'
    return block + SCROLL if selected is not None and 'id="selected-value"' in block else block


def section_path(headings: list[tuple[int, int, str]], pos: int) -> list[str]:
    """The headings a position stands under, outermost first: the last level-1 heading before it and,
    after that one, the last level-2 heading (``(level, start, text)`` triples in text order)."""
    path: dict[int, str] = {}
    for level, start, text in headings:
        if start > pos:
            break
        path[level] = text
        for deeper in [k for k in path if k > level]:
            del path[deeper]
    return [path[k] for k in sorted(path)]

