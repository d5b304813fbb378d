-- label_prevalence: per cohort, organ system and label, how many reports state it positive,
-- uncertain or negative, out of all reports of the cohort (not mentioned = the rest).
CREATE OR REPLACE VIEW label_prevalence AS
WITH report_counts AS (
    SELECT cohort, count(*) AS n_reports
    FROM reports
    GROUP BY cohort
)
SELECT
    l.cohort,
    l.organ_system,
    l.label,
    count(*) FILTER (WHERE l.status = 'positive') AS n_positive,
    count(*) FILTER (WHERE l.status = 'uncertain') AS n_uncertain,
    count(*) FILTER (WHERE l.status = 'negative') AS n_negative,
    rc.n_reports,
    round(count(*) FILTER (WHERE l.status = 'positive') / rc.n_reports, 4) AS prevalence
FROM study_labels AS l
JOIN report_counts AS rc USING (cohort)
GROUP BY l.cohort, l.organ_system, l.label, rc.n_reports
ORDER BY l.cohort, l.organ_system, l.label;
