"""Host lookups refused and recorded, for the tests that prove nothing leaves the machine
(tests/app/services/test_no_lookups.py, tests/ingest/test_ocr_offline.py).

A subprocess is given `PYTHON_PRELUDE` before its work (lookups from Python) and, where a
C compiler is at hand, `libc_shim()` as LD_PRELOAD (lookups from native code: ONNX
Runtime's telemetry thread looked up mobile.events.data.microsoft.com). Each lookup of a
name that is not an IP address (or localhost) is written to the file `LOOKUP_LOG` names,
and fails.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

# Records every lookup of a name that is not an IP address or localhost, and refuses it.
LIBC_SHIM = r"""
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int numeric(const char *node) {
    unsigned char address[sizeof(struct in6_addr)];
    return node == NULL || strcmp(node, "localhost") == 0 || inet_pton(AF_INET, node, address) == 1
        || inet_pton(AF_INET6, node, address) == 1;
}
static void record(const char *name) {
    const char *path = getenv("LOOKUP_LOG");
    FILE *log = path ? fopen(path, "a") : NULL;
    if (log) { fprintf(log, "libc %s\n", name ? name : "(null)"); fclose(log); }
}
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    if (!numeric(node)) { record(node); return EAI_FAIL; }
    int (*real)(const char *, const char *, const struct addrinfo *, struct addrinfo **) =
        (int (*)(const char *, const char *, const struct addrinfo *, struct addrinfo **))dlsym(RTLD_NEXT, "getaddrinfo");
    return real(node, service, hints, res);
}
struct hostent *gethostbyname(const char *name) { record(name); h_errno = NO_RECOVERY; return NULL; }
struct hostent *gethostbyname2(const char *name, int af) { record(name); h_errno = NO_RECOVERY; return NULL; }
int gethostbyname_r(const char *name, struct hostent *ret, char *buf, size_t len, struct hostent **result, int *err) {
    record(name); *result = NULL; *err = NO_RECOVERY; return 0;
}
int gethostbyname2_r(const char *name, int af, struct hostent *ret, char *buf, size_t len, struct hostent **result,
                     int *err) {
    record(name); *result = NULL; *err = NO_RECOVERY; return 0;
}
"""

PYTHON_PRELUDE = r"""
import ipaddress, json, os, socket, sys, time
from pathlib import Path

def _record(host):
    with open(os.environ["LOOKUP_LOG"], "a") as log:
        log.write(f"python {host}\n")

def _numeric(host):
    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
    except ValueError:
        return False
    return True

_getaddrinfo = socket.getaddrinfo

def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost") and not _numeric(host):
        _record(host)
        raise socket.gaierror(socket.EAI_FAIL, "host lookups are refused in this test")
    return _getaddrinfo(host, *args, **kwargs)

def refuse(host, *args):
    _record(host)
    raise socket.gaierror(socket.EAI_FAIL, "host lookups are refused in this test")

socket.getaddrinfo = getaddrinfo
socket.gethostbyname = socket.gethostbyname_ex = refuse

"""


def libc_shim(folder: Path) -> Path | None:
    """The LD_PRELOAD library, compiled into `folder`; None without a C compiler."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None
    source = folder / "lookups.c"
    source.write_text(LIBC_SHIM, encoding="utf-8")
    library = folder / "lookups.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(library), str(source), "-ldl"], check=True,
                   capture_output=True, timeout=120)
    return library
