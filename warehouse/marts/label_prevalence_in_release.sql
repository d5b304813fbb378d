-- label_prevalence_in_release(name): table macro; per split, organ system and label of one release,
-- the member studies whose (current) report states the label positive, uncertain or negative, out of
-- the release's studies in that split. Usage: SELECT * FROM label_prevalence_in_release('chest-v1').
CREATE OR REPLACE MACRO label_prevalence_in_release(name) AS TABLE
WITH members AS (
    SELECT DISTINCT m.study_id, m.split
    FROM release_members AS m
    WHERE m.release_name = name
),
split_counts AS (
    SELECT split, count(*) AS n_studies
    FROM members
    GROUP BY split
)
SELECT
    m.split,
    l.organ_system,
    l.label,
    count(*) FILTER (WHERE l.status = 'positive') AS n_positive,
    count(*) FILTER (WHERE l.status = 'uncertain') AS n_uncertain,
    count(*) FILTER (WHERE l.status = 'negative') AS n_negative,
    sc.n_studies,
    round(count(*) FILTER (WHERE l.status = 'positive') / sc.n_studies, 4) AS prevalence
FROM members AS m
JOIN studies AS s ON s.study_id = m.study_id
JOIN study_labels AS l ON l.report_id = s.report_id
JOIN split_counts AS sc ON sc.split = m.split
GROUP BY m.split, l.organ_system, l.label, sc.n_studies;
