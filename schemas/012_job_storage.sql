-- Schema file 012: a job remembers the media storage of the app that queued it.
--
-- On a shared PostgreSQL database every teammate's app claims jobs from the same queue, but each
-- app reads and writes media in its own storage: a bucket (`s3://bucket/prefix`, shared by every app
-- configured with it) or a local media folder (`folder:<id>`, the id kept in the folder itself, so
-- apps that mount one folder agree). A job's input files are in the storage of the app that queued
-- it, and its results must land where that app reads them: an app claims (and takes over) only the
-- jobs whose `media_storage` is its own. NULL (rows made before this file) may be claimed by any app.

ALTER TABLE generations ADD COLUMN media_storage VARCHAR(1000);
