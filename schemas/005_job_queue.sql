-- Schema file 005: the generations table is the job queue.
--
-- A worker claims a pending generation by setting `status = 'processing'` with a lease: its own
-- id in `lease_owner` and a deadline in `lease_expires_at`, pushed forward while the job runs. A
-- claimer that crashed stops renewing, and after the deadline another worker (or the same app,
-- restarted) takes the job over. `attempts` counts runs, so a job that keeps crashing the app is
-- failed instead of looping.
--
-- `progress_phase` and `progress_message` keep the last progress report, so that a client that
-- connects mid-job first receives the current state in full.
--
-- A generator with several outputs makes sibling generations; `batch_generation_id` names the
-- generation whose job made them, so that they finish with it (completed, failed or cancelled).

ALTER TABLE generations ADD COLUMN lease_owner VARCHAR(100);
ALTER TABLE generations ADD COLUMN lease_expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE generations ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE generations ADD COLUMN progress_phase VARCHAR(20);
ALTER TABLE generations ADD COLUMN progress_message TEXT;
ALTER TABLE generations ADD COLUMN batch_generation_id VARCHAR(36);

CREATE INDEX ix_generations_batch ON generations (batch_generation_id);
