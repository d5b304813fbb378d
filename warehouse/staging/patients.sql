-- patients: One row per pseudonymised patient in a cohort.
-- Current snapshot: rows of each cohort's latest completed run that wrote patients.
CREATE OR REPLACE VIEW patients AS
SELECT t.*
FROM raw.patients AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'patients' AND r.cohort = t.cohort AND r.run_id = t.run_id;
