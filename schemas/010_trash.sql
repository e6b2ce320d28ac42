-- Schema file 009: the Trash, where a deleted generation waits until it is emptied.
--
-- A trashed generation leaves the generations table, so every list, count, lookup, lineage walk
-- and the job queue stop seeing it exactly as upstream's delete does, without a condition in each
-- query. Its row is kept here as JSON (`generation`), with the rows that went with it: its lineage
-- edges on both sides, its tag links and everyone's stars. Restoring puts them back (an edge or a
-- link only where its other end is still there); emptying, or 30 days in the trash, removes the
-- entry and then the files, which stay in the generation's folder until then (`media gc` keeps them).
--
-- `id` is the generation's id. `board_id` and `user_id` (who made it) decide who may see, restore
-- and empty it, as for deleting it; a board deleted for good takes its trash with it.
-- `ix_trash_trashed_at` serves the daily emptying of old entries and the newest-first listing.

CREATE TABLE trashed_generations (
    id VARCHAR(36) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    board_id VARCHAR(36) NOT NULL,
    user_id VARCHAR(36) NOT NULL,
    trashed_by_id VARCHAR(36),
    trashed_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT CURRENT_TIMESTAMP,
    generation JSONB NOT NULL,
    lineage JSONB NOT NULL DEFAULT '[]',
    tag_links JSONB NOT NULL DEFAULT '[]',
    favourites JSONB NOT NULL DEFAULT '[]',
    PRIMARY KEY (id),
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    FOREIGN KEY (board_id) REFERENCES boards (id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX ix_trash_trashed_at ON trashed_generations (trashed_at, id);
CREATE INDEX ix_trash_board ON trashed_generations (board_id, trashed_at);
