-- Schema file 004 (SQLite): keep boards.generation_count (file 003) exact.

CREATE TRIGGER trg_generations_count_insert AFTER INSERT ON generations
BEGIN
    UPDATE boards SET generation_count = generation_count + 1 WHERE id = NEW.board_id;
END;

CREATE TRIGGER trg_generations_count_delete AFTER DELETE ON generations
BEGIN
    UPDATE boards SET generation_count = generation_count - 1 WHERE id = OLD.board_id;
END;

-- A generation moved to another board counts there from then on.
CREATE TRIGGER trg_generations_count_move AFTER UPDATE OF board_id ON generations
WHEN OLD.board_id <> NEW.board_id
BEGIN
    UPDATE boards SET generation_count = generation_count - 1 WHERE id = OLD.board_id;
    UPDATE boards SET generation_count = generation_count + 1 WHERE id = NEW.board_id;
END;
