-- series: One row per image series found in a cohort, whatever became of it (ingested, quarantined or skipped).
-- Current snapshot: rows of each cohort's latest completed run that wrote series.
CREATE OR REPLACE VIEW series AS
SELECT t.*
FROM raw.series AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'series' AND r.cohort = t.cohort AND r.run_id = t.run_id;
