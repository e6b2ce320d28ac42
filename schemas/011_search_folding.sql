-- Schema file 009: search folds accents too, and finds generator names and upload file names.
--
-- `search_version` says how a row's `search_text` was folded: 1 by file 008 (case only, prompts
-- only), 2 as the app writes it now (boards_desktop/db/search_text.py: no case, no accents, the
-- generator's name, an upload's file name, a text result's content). Neither engine can drop
-- accents in plain SQL, so the rows made before this file are marked 1 here and refolded by the
-- app right after the upgrade (boards_desktop/db/search_refold.py); new rows take the default.
-- The partial index finds the rows still to refold without reading the others.

ALTER TABLE generations ADD COLUMN search_version INTEGER NOT NULL DEFAULT 2;

UPDATE generations SET search_version = 1;

CREATE INDEX ix_generations_search_refold ON generations (id) WHERE search_version < 2;
