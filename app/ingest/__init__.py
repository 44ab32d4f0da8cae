"""The ingest job: article files -> dated country positions with evidence (see the modules for each step)."""
