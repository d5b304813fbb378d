-- sentences: One row per sentence of a de-identified report, with its section and organ systems.
-- Current snapshot: rows of each cohort's latest completed run that wrote sentences.
CREATE OR REPLACE VIEW sentences AS
SELECT t.*
FROM raw.sentences AS t
SEMI JOIN current_table_runs AS r
    ON r.table_name = 'sentences' AND r.cohort = t.cohort AND r.run_id = t.run_id;
