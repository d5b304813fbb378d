"""Dataset releases: immutable, patient-level splits, verifiable content hashes."""
