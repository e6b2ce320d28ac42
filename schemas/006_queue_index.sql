-- Schema file 006: the queue's claim walks an index in its own order.
--
-- A claim takes the oldest pending jobs: `WHERE status = 'pending' ... ORDER BY created_at, id
-- LIMIT n`. The index of file 001 stopped at created_at, so every claim sorted all pending rows
-- to break ties by id; with thousands queued, each claim cost more than the jobs it started
-- (measured). With id in the index the claim reads the first n entries and stops. The same index
-- still serves `recentGenerations(status: ...)`, newest first.

DROP INDEX ix_generations_status_created;
CREATE INDEX ix_generations_status_created_id ON generations (status, created_at, id);
