-- Schema file 013 (SQLite): finding a stored file by its content's SHA-256.
--
-- Every upload asks whether its bytes are on a board the uploader may read already, and an upload
-- carrying our provenance looks its parents up by hash. The hash sits in output_metadata; without
-- an index each question read every completed generation (150 ms at 50,000 on SQLite). The
-- queries write this exact expression, with the path as a literal (db/queries/content_hash.py), so
-- that the planner matches it. Rows without a hash (failed, running, older ones) are left out: counted,
-- SQLite's statistics saw thousands of rows sharing one value (NULL) and judged the index useless.

CREATE INDEX ix_generations_content_sha256 ON generations (CAST(JSON_EXTRACT(output_metadata, '$."sha256"') AS VARCHAR))
    WHERE CAST(JSON_EXTRACT(output_metadata, '$."sha256"') AS VARCHAR) IS NOT NULL;
