"""The command lines: thin layers over the services (`python -m app …`, `python -m ingest …`,
the first-run bootstrap of `make run`). Each prints; nothing below this package does."""
