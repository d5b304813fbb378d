-- synthetic_reports: generated report texts (harmonized house style or an institution's style).
-- Current: for each cohort and style, the rows of the latest completed run that wrote that style,
-- so harmonizing into one style does not hide another style's reports.
CREATE OR REPLACE VIEW synthetic_reports AS
WITH latest AS (
    SELECT t.cohort, t.style, arg_max(t.run_id, r.finished_at) AS run_id
    FROM raw.synthetic_reports AS t
    JOIN raw.runs AS r ON r.run_id = t.run_id AND r.status = 'completed'
    GROUP BY t.cohort, t.style
)
SELECT t.*
FROM raw.synthetic_reports AS t
SEMI JOIN latest AS l ON l.cohort = t.cohort AND l.style = t.style AND l.run_id = t.run_id;
