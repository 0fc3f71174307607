"""Which addresses a server may listen on without a login: the loopback ones only.

Shared by the two servers (the HTTP API's `serve` and the UI's launcher), which refuse any
other address unless the user says so explicitly (a key for the API, a flag for the UI).
"""
from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1); False for 0.0.0.0, LAN
    addresses and any other name."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
