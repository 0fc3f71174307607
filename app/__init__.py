import core  # noqa: F401  (first: turns third-party telemetry off, see core/telemetry.py)
