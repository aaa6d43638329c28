"""The headless data layer. See ARCHITECTURE.md.

sqlite-utils imports numpy (and pandas) at import time only to map their scalar types to
column types. We never hand it either, and numpy alone adds ~100 ms to every labeler's
start-up, so the first import of sqlite-utils runs with both hidden. Code that needs numpy
(the agreement statistics) imports it later as usual.
"""

import sys

if "sqlite_utils" not in sys.modules:
    _hidden = [m for m in ("numpy", "pandas") if m not in sys.modules]
    for _m in _hidden:
        sys.modules[_m] = None  # type: ignore[assignment]  # makes `import numpy` fail fast
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for _m in _hidden:
            del sys.modules[_m]
