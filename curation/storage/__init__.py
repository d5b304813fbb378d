"""The warehouse: Parquet part files, Zarr volumes, releases and the DuckDB catalog over them."""
