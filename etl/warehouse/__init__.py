"""Report records → DuckDB: the warehouse half of the ETL.

``scan`` lists and hashes the raw folder, ``pool`` (or ``dask_engine`` with
``dataset``) runs the extractor, ``load`` writes the rows (``schema.sql``),
``views`` materializes the page views (``views.sql``), ``build`` swaps the new
file in atomically, ``corrections`` keeps analysts' corrections in their own
file, and ``reader`` is the dashboard's read-only connection that re-attaches
after every rebuild.
"""
