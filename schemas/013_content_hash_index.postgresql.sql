-- Schema file 013 (PostgreSQL): finding a stored file by its content's SHA-256.
--
-- Every upload asks whether its bytes are on a board the uploader may read already, and an upload
-- carrying our provenance looks its parents up by hash. The hash sits in output_metadata; without
-- an index each question read every completed generation. The queries write this
-- exact expression (db/queries/content_hash.py), so that the planner matches it. Rows without a
-- hash (failed, running, older ones) are left out.

CREATE INDEX ix_generations_content_sha256 ON generations ((CAST((output_metadata ->> 'sha256') AS VARCHAR)))
    WHERE (CAST((output_metadata ->> 'sha256') AS VARCHAR)) IS NOT NULL;
