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
