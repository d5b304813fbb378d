-- study_labels: One row per (report, label) that the report mentions, aggregated over its mentions. Labels not mentioned have no row (not mentioned is not negative).
-- Current snapshot: rows of each cohort's latest completed run that wrote study_labels.
CREATE OR REPLACE VIEW study_labels AS
SELECT t.*
FROM raw.study_labels AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'study_labels' AND r.cohort = t.cohort AND r.run_id = t.run_id;
