-- Schema file 007: favourites, a star an artist puts on a generation.
--
-- A favourite is personal: one row per user and generation, gone with either. On a team's
-- shared database each teammate stars what they like without changing what the others see.
--
-- The grid's "favourites only" filter asks for the caller's favourites on one board. `board_id`
-- is a copy of the generation's board so that the filter reads those rows through an index
-- instead of probing every generation of the board (a board of 10,000 generations is 10,000
-- probes); `moveGenerations` moves it with the generation, in the same transaction.
-- The primary key starts with the generation, so a deleted generation's stars are found at once.

CREATE TABLE favourites (
    generation_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(36) NOT NULL,
    board_id VARCHAR(36) NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (generation_id, user_id),
    FOREIGN KEY (generation_id) REFERENCES generations (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    FOREIGN KEY (board_id) REFERENCES boards (id) ON DELETE CASCADE
);

CREATE INDEX ix_favourites_user_board ON favourites (user_id, board_id);
