"""Synthetic corpus of district statistics bureaus' rule-of-law reports, with its answer key.

Real reports are few; the dashboard must work for every county of China and
ten years. This package writes one realistic report (or, for about one in
ten, a plan) per county-level division and year, in the wording and the
untidiness of real ones, and the answer key in the format of ``data/gold/``,
so that extraction can be scored and the build benchmarked at full scale.

Wording lives in ``data/*.yaml``; ``compose`` builds a document and its key
together; ``corpus`` writes a folder of them. Run ``python -m etl.synth -h``.
"""

from etl.synth.corpus import generate

__all__ = ["generate"]
