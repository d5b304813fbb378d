-- runs: every finished run, newest first (completed and failed alike).
CREATE OR REPLACE VIEW runs AS
SELECT *
FROM raw.runs
ORDER BY started_at DESC;
