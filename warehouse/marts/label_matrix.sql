-- label_matrix: one row per study of the current snapshot, one TINYINT column per label of the taxonomy
-- (the labels of lexicons/labels, filled into the PIVOT's IN list when the catalog creates its views),
-- coded as CheXpert does: 1 positive, 0 negative, -1 uncertain, NULL not mentioned. A study without a
-- matched report (report_status = 'no_report') has NULL in every label column.
CREATE OR REPLACE VIEW label_matrix AS
WITH coded AS (
    SELECT
        report_id,
        label,
        (CASE status WHEN 'positive' THEN 1 WHEN 'negative' THEN 0 WHEN 'uncertain' THEN -1 END)::TINYINT AS code
    FROM study_labels
),
report_labels AS (
    PIVOT coded ON label IN ({{ label_names }}) USING any_value(code) GROUP BY report_id
)
SELECT
    s.study_id,
    s.patient_id,
    s.cohort,
    s.institution,
    s.body_region,
    s.report_status,
    rl.* EXCLUDE (report_id)
FROM studies AS s
LEFT JOIN report_labels AS rl ON rl.report_id = s.report_id;
