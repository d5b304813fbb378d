-- For each (table, cohort): the latest completed run that wrote the table.
-- A run's rows count only once its row in raw.runs says completed; a later run of the same cohort
-- replaces the earlier one's rows (each ingest is a full snapshot of the cohort folder).
CREATE OR REPLACE VIEW current_table_runs AS
SELECT
    table_name,
    cohort,
    arg_max(run_id, finished_at) AS run_id
FROM (
    SELECT run_id, cohort, finished_at, unnest(tables_written) AS table_name
    FROM raw.runs
    WHERE status = 'completed'
)
GROUP BY table_name, cohort;
