-- The warehouse contract. The build (etl/build.py) fills these tables; the
-- pages read only the views at the end. Corrections live in their own file
-- (data/corrections.duckdb) and are copied in at each build so they survive
-- every rebuild.

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

CREATE TABLE ingest_log (
    source_file VARCHAR,
    sha256      VARCHAR,
    status      VARCHAR,   -- loaded | unchanged | duplicate | failed | removed
    reason      VARCHAR,
    logged_at   TIMESTAMP
);

CREATE TABLE build_info (
    built_at TIMESTAMP,
    n_reports INTEGER,
    n_failed INTEGER
);
