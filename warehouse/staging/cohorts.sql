-- cohorts: One row per ingested cohort snapshot: an institutional delivery described by its cohort.yaml.
-- Current snapshot: rows of each cohort's latest completed run that wrote cohorts.
CREATE OR REPLACE VIEW cohorts AS
SELECT t.*
FROM raw.cohorts AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'cohorts' AND r.cohort = t.cohort AND r.run_id = t.run_id;
