-- Schema file 008 (PostgreSQL): what the grid's search reads, and the board's generator names.
--
-- `search_text` holds the string values of a generation's inputParams (its prompt first of all),
-- case-folded, one value a line. The app writes it with each generation (Unicode case folding,
-- boards_desktop/db/search_text.py); this file fills it for the generations made before, with
-- PostgreSQL's lower(), which follows the database's locale. Generation ids in artifact slots are
-- left out.
--
-- A search is a scan of the board's rows, however common its words (measured on a board of
-- 10,000 generations). A GIN index on the strings was measured too: it helps rare words only,
-- and a word on most of the board costs more through it than the scan.
--
-- `ix_generations_board_generator` answers `Board.generatorNames` (the filter menu) from the
-- index alone, instead of reading every row of the board. `ix_generations_board_covers` holds
-- only what has a thumbnail, so a board card's covers are its first entries even on a board of
-- audio or text, where walking the board's index would read every generation to find none (the
-- thumbnail's URL is in it so that PostgreSQL's planner sees it is the cheaper walk, as it is).

ALTER TABLE generations ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

UPDATE generations SET search_text = coalesce((
    SELECT substr(string_agg(lower(found.value #>> '{}'), chr(10)), 1, 20000)
    FROM jsonb_path_query(generations.input_params, 'strict $.**') AS found(value)
    WHERE jsonb_typeof(found.value) = 'string'
      AND found.value #>> '{}' !~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$'
), '');

CREATE INDEX ix_generations_board_generator ON generations (board_id, generator_name);
CREATE INDEX ix_generations_board_covers ON generations (board_id, created_at, id, thumbnail_url)
    WHERE thumbnail_url IS NOT NULL;
