"""Configuration bundles (§9): import the original's files and bundles, export without secrets."""
