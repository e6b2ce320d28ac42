-- Schema file 004 (PostgreSQL): keep boards.generation_count (file 003) exact.

CREATE FUNCTION boards_count_generations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE boards SET generation_count = generation_count - 1 WHERE id = OLD.board_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE boards SET generation_count = generation_count + 1 WHERE id = NEW.board_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER trg_generations_count_insert AFTER INSERT ON generations
FOR EACH ROW EXECUTE FUNCTION boards_count_generations();

CREATE TRIGGER trg_generations_count_delete AFTER DELETE ON generations
FOR EACH ROW EXECUTE FUNCTION boards_count_generations();

-- A generation moved to another board counts there from then on.
CREATE TRIGGER trg_generations_count_move AFTER UPDATE OF board_id ON generations
FOR EACH ROW WHEN (OLD.board_id IS DISTINCT FROM NEW.board_id)
EXECUTE FUNCTION boards_count_generations();
