-- Schema file 003: each board keeps the number of its generations.
--
-- `Board.generationCount` is on every board card and in `myBoards`; counting a board's rows on
-- each read walks every index entry of the board (a page of 50 boards of 500 generations each
-- reads 25,000 entries). A counter kept by triggers (file 004, one per engine) answers from the
-- board row itself, and is exact however rows arrive or leave: the app, a cascade, a script.

ALTER TABLE boards ADD COLUMN generation_count INTEGER NOT NULL DEFAULT 0;

UPDATE boards SET generation_count = (
    SELECT count(*) FROM generations WHERE generations.board_id = boards.id
);
