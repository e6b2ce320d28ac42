-- Schema file 002: lineage as rows, beside the `generations.input_artifacts` JSON of the contract.
--
-- Upstream walked lineage with jsonb_array_elements over every generation: `descendants` scanned
-- the whole table. One row per (child, input) with an index on each side makes `ancestry` and
-- `descendants` the same indexed recursive query on SQLite and PostgreSQL. The app writes these
-- rows in the same transaction as `input_artifacts`, which stays the contract's source of truth.

CREATE TABLE generation_lineage (
    generation_id VARCHAR(36) NOT NULL,
    position INTEGER NOT NULL,
    input_generation_id VARCHAR(36) NOT NULL,
    role VARCHAR(100) NOT NULL,
    artifact_type VARCHAR(50) NOT NULL,
    PRIMARY KEY (generation_id, position),
    FOREIGN KEY (generation_id) REFERENCES generations (id) ON DELETE CASCADE,
    FOREIGN KEY (input_generation_id) REFERENCES generations (id) ON DELETE CASCADE
);

CREATE INDEX ix_generation_lineage_input ON generation_lineage (input_generation_id);
