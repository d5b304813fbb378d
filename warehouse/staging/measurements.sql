-- measurements: One row per quantitative value stated in a report or measured on an image (sizes, SUVmax, HU, volumes).
-- Current snapshot: rows of each cohort's latest completed run that wrote measurements.
CREATE OR REPLACE VIEW measurements AS
SELECT t.*
FROM raw.measurements AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'measurements' AND r.cohort = t.cohort AND r.run_id = t.run_id;
