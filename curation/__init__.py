"""ctcurate's library: pure, testable curation steps with no orchestration imports."""

__version__ = "0.1.0"
PIPELINE_VERSION = f"ctcurate-{__version__}"
