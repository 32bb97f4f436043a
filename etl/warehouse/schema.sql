-- The warehouse contract. The build (etl/build.py) fills these tables; the
-- pages read only the views (etl/views.sql, plus v_compare which etl/views.py
-- generates from the indicator catalogue). Corrections live in their own file
-- (data/corrections.duckdb) and are copied in at each build so they survive
-- every rebuild.
--
-- Bump SCHEMA_VERSION in etl/load.py when a table changes: a warehouse built
-- with another version is rebuilt from the raw files instead of copied from.
-- (A table added for the build's own bookkeeping, as raw_files was, need not
-- bump it: a previous warehouse whose tables differ from this file in any way
-- is copied from row by row rather than reused as a whole, see
-- etl/load.py: same_schema.)

CREATE TABLE reports (
    report_id    VARCHAR PRIMARY KEY,   -- sha256 of the file's bytes
    source_file  VARCHAR NOT NULL,      -- file name relative to the raw folder
    province     VARCHAR,               -- 'unknown' when the text names no place
    city         VARCHAR,
    district     VARCHAR,
    adcode       VARCHAR,
    year         INTEGER,               -- NULL when unknown
    doc_type     VARCHAR,               -- 'report' | 'plan'
    size_bytes   BIGINT,
    encoding     VARCHAR,
    format       VARCHAR,               -- txt | docx | pdf | html
    text         VARCHAR,               -- the text the offsets refer to
    ingested_at  TIMESTAMP
);

CREATE TABLE indicators (
    indicator  VARCHAR PRIMARY KEY,
    category   VARCHAR,
    unit       VARCHAR,
    name_zh    VARCHAR,
    name_en    VARCHAR,
    definition VARCHAR
);

CREATE TABLE shortfall_themes (
    theme      VARCHAR PRIMARY KEY,
    name_zh    VARCHAR,
    name_en    VARCHAR,
    definition VARCHAR
);

CREATE TABLE "values" (
    value_id    VARCHAR PRIMARY KEY,    -- report_id || ':' || indicator
    report_id   VARCHAR NOT NULL,
    indicator   VARCHAR NOT NULL,
    value       DOUBLE,
    qualifier   VARCHAR,                -- exact | at_least | approx | at_most
    basis       VARCHAR,                -- stated | derived
    quote       VARCHAR NOT NULL,
    start_pos   INTEGER NOT NULL,       -- offsets into reports.text
    end_pos     INTEGER NOT NULL,
    confidence  DOUBLE,
    flags       VARCHAR[]              -- e.g. implausible: more households than people
);

CREATE TABLE shortfalls (
    report_id VARCHAR NOT NULL,
    seq       INTEGER NOT NULL,
    theme     VARCHAR NOT NULL,
    text      VARCHAR NOT NULL,
    start_pos INTEGER,
    end_pos   INTEGER
);

CREATE TABLE targets (
    report_id  VARCHAR NOT NULL,
    indicator  VARCHAR NOT NULL,
    comparator VARCHAR,
    value      DOUBLE,
    quote      VARCHAR,
    start_pos  INTEGER,
    end_pos    INTEGER
);

CREATE TABLE target_indicators (
    indicator  VARCHAR PRIMARY KEY,
    unit       VARCHAR,
    name_zh    VARCHAR,
    name_en    VARCHAR,
    definition VARCHAR
);

-- One row per file of the raw folder at this build, plus one per report that
-- left it. Only the latest build's log is kept (the warehouse is rebuilt).
CREATE TABLE ingest_log (
    source_file VARCHAR,
    sha256      VARCHAR,
    status      VARCHAR,   -- loaded | unchanged | duplicate | failed | removed
    reason      VARCHAR,   -- why it failed, which file it duplicates, 'content changed', ...
    logged_at   TIMESTAMP
);

-- The raw folder's files as this build found them (etl/scan.py), so that the
-- next build reads and hashes only the files whose size, mtime, ctime, inode
-- or device changed. Files changed in the seconds before the build are left
-- out (hashed again next time); so are files that could not be read.
CREATE TABLE raw_files (
    source_file VARCHAR,   -- relative to the raw folder
    sha256      VARCHAR,
    size_bytes  BIGINT,
    mtime_ns    BIGINT,
    ctime_ns    BIGINT,
    inode       UBIGINT,
    device      UBIGINT
);

-- One row: what the build that wrote this file did.
CREATE TABLE build_info (
    built_at          TIMESTAMP,
    n_reports         INTEGER,
    n_failed          INTEGER,
    n_loaded          INTEGER,   -- extracted at this build
    n_unchanged       INTEGER,   -- copied from the previous warehouse
    n_duplicates      INTEGER,
    n_removed         INTEGER,
    full_rebuild      BOOLEAN,
    jobs              INTEGER,
    seconds           DOUBLE,
    raw_dir           VARCHAR,
    schema_version    INTEGER,
    extractor_version VARCHAR,   -- fingerprint of the extraction code and rules
    n_corrections     INTEGER,
    n_corrections_review INTEGER
);

-- A copy of data/corrections.duckdb taken at build time (etl/corrections.py
-- owns the original). The views apply the rows whose status in
-- v_corrections is 'applied'. new_value/old_value are JSON text:
--   value          {"value": 12, "qualifier": "exact", ...}  (indicator set)
--   reject_value   null                                      (indicator set)
--   region         {"province": .., "city": .., "district": .., "adcode": ..}
--   year           2023 | null
--   doc_type       "report" | "plan"
--   shortfall      {"theme": "outreach_innovation"}          (seq set)
--   reject_shortfall null                                     (seq set)
CREATE TABLE corrections (
    correction_id BIGINT PRIMARY KEY,
    report_id     VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,
    indicator     VARCHAR,
    seq           INTEGER,
    old_value     VARCHAR,
    new_value     VARCHAR,
    reason        VARCHAR,
    who           VARCHAR,
    created_at    TIMESTAMP,
    report_sha256 VARCHAR,   -- the report's sha256 when the correction was made
    source_file   VARCHAR    -- its file name then, to say which file changed
);
