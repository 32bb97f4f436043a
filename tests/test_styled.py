"""The compare table's cells: numbers kept for sorting, shown with their marks (``≥1,234*``, ``—``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ui import components


def _shown(numbers: pd.DataFrame, marks: pd.DataFrame) -> pd.DataFrame:
    """The strings a reader sees: the Styler's display value of every cell."""
    styler = components.styled(numbers, marks, ("region",))
    styler._compute()
    body = styler._translate(False, False)["body"]
    return pd.DataFrame([[cell["display_value"] for cell in row if cell.get("type") == "td"] for row in body],
                        columns=numbers.columns)


def test_each_cell_gets_its_own_marks_whatever_the_column_mostly_has() -> None:
    numbers = pd.DataFrame({"region": ["a", "b", "c", "d"], "x": [1234.0, 20.0, np.nan, 5.5],
                            "y": [1.0, 2.0, 3.0, 4.0]})
    marks = pd.DataFrame({"region": [("", "")] * 4,
                          "x": [("", "*"), ("≥", ""), ("", ""), ("", "*")],
                          "y": [("", ""), ("", ""), ("≈", " ⚠"), ("", "")]})
    shown = _shown(numbers, marks)
    assert shown["x"].tolist() == ["1,234*", "≥20", "—", "5.5*"]
    assert shown["y"].tolist() == ["1", "2", "≈3 ⚠", "4"]
    assert shown["region"].tolist() == ["a", "b", "c", "d"]
    assert components.styled(numbers, marks, ("region",)).data["x"].dtype == float  # sorting stays numeric


def test_marks_follow_rows_not_positions_when_the_index_is_not_a_range() -> None:
    numbers = pd.DataFrame({"region": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]}, index=[10, 5, 7])
    marks = pd.DataFrame({"region": [("", "")] * 3, "x": [("", ""), ("≤", ""), ("", "")]}, index=[10, 5, 7])
    assert _shown(numbers, marks)["x"].tolist() == ["1", "≤2", "3"]


def test_same_strings_as_formatting_each_kind_through_the_public_api() -> None:
    """The per-cell formatters set by position read exactly as ``format(subset=...)`` per kind of mark."""
    rng = np.random.default_rng(7)
    kinds = [("", ""), ("≥", ""), ("≈", "*"), ("", " ⚠"), ("≤", "*")]
    numbers = pd.DataFrame({"region": [f"r{i}" for i in range(60)],
                            **{c: rng.choice([np.nan, 3.0, 1234.5, 20.0], 60) for c in "abc"}},
                           index=rng.permutation(200)[:60])
    marks = pd.DataFrame({"region": [("", "")] * 60,
                          **{c: [kinds[k] for k in rng.choice(len(kinds), 60, p=[0.6, 0.1, 0.1, 0.1, 0.1])]
                             for c in "abc"}}, index=numbers.index)
    reference = numbers.style
    for col in "abc":
        for kind in kinds:
            rows = numbers.index[[m == kind for m in marks[col]]]
            reference = reference.format(components._marked(*kind), subset=pd.IndexSlice[list(rows), [col]])
    reference._compute()
    body = reference._translate(False, False)["body"]
    expected = pd.DataFrame([[c["display_value"] for c in row if c.get("type") == "td"] for row in body],
                            columns=numbers.columns)
    assert _shown(numbers, marks).equals(expected)
    shuffled = marks.sample(frac=1, random_state=1)  # marks in another row order still follow their rows
    assert _shown(numbers, shuffled).equals(expected)
