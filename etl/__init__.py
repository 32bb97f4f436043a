"""Turn statistics bureaus' rule-of-law reports into traceable numbers.

Data flow, one module per step: read (file -> text) -> normalize (text ->
matching text with an offset map) -> metadata / indicators / shortfalls /
targets (text -> facts with quotes) -> build (facts -> DuckDB warehouse).
"""
