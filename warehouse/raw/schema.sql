-- The raw layer: one table per contract in schemas/tables/, loaded from the Parquet part files.
-- Its columns are created from those contracts (Arrow types), so they are not repeated here.
CREATE SCHEMA IF NOT EXISTS raw;
