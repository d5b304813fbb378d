-- label_prevalence: per cohort, split, organ system and label, how many reports state it positive,
-- uncertain or negative, out of all reports of that cohort and split (not mentioned = the rest).
-- split: the study's split in the most recent release that holds it (study_splits), 'unreleased' for
-- studies in no release and for unmatched reports. For one named release use the table macro
-- label_prevalence_in_release('<name>'); a release folder also freezes its own prevalence.
-- Materialized as a table (rebuilt at every catalog registration, the only writer), so prevalence
-- queries over 100,000 studies answer in milliseconds instead of re-joining every label.
CREATE OR REPLACE TABLE label_prevalence AS
WITH report_splits AS (
    SELECT r.report_id, r.cohort, coalesce(ss.split, 'unreleased') AS split
    FROM reports AS r
    LEFT JOIN study_splits AS ss ON ss.study_id = r.study_id
),
report_counts AS (
    SELECT cohort, split, count(*) AS n_reports
    FROM report_splits
    GROUP BY cohort, split
)
SELECT
    l.cohort,
    rs.split,
    l.organ_system,
    l.label,
    count(*) FILTER (WHERE l.status = 'positive') AS n_positive,
    count(*) FILTER (WHERE l.status = 'uncertain') AS n_uncertain,
    count(*) FILTER (WHERE l.status = 'negative') AS n_negative,
    rc.n_reports,
    round(count(*) FILTER (WHERE l.status = 'positive') / rc.n_reports, 4) AS prevalence
FROM study_labels AS l
JOIN report_splits AS rs ON rs.report_id = l.report_id AND rs.cohort = l.cohort
JOIN report_counts AS rc ON rc.cohort = rs.cohort AND rc.split = rs.split
GROUP BY l.cohort, rs.split, l.organ_system, l.label, rc.n_reports;
