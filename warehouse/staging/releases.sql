-- releases: every dataset release; releases are immutable, so all rows are current.
CREATE OR REPLACE VIEW releases AS
SELECT t.*
FROM raw.releases AS t
SEMI JOIN raw.runs AS r ON r.run_id = t.run_id AND r.status = 'completed';
