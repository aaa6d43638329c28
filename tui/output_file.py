"""An output file that appears whole or not at all.

A command that writes `--out FILE` writes into a temporary file beside it and renames it over
`FILE` only when every record is written: a failure part-way (a bad label, a full disk, Ctrl-C)
leaves `FILE` as it was (absent, or the previous export) instead of a valid-looking half. The
rename is atomic because both names are in one directory. `-` is standard output, which streams
as it is written: a reader of a pipe gets records as they come.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def output_file(name: str) -> Iterator[TextIO]:
    """A text handle for `name` (`-`: standard output). A regular file (or a new name) is
    written as `.<name>.<random>.partial` in the same directory and renamed into place when the
    block ends without an exception; on an exception the temporary file is removed. A name that
    is not a regular file (`/dev/null`, a named pipe) is written directly: renaming over it
    would replace the device."""
    if name == "-":
        yield sys.stdout
        return
    target = Path(os.path.realpath(name))  # through a symbolic link, as open() would write
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "w", encoding="utf-8") as direct:
            yield direct
        return
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    try:
        # mkstemp makes the file 0600; the export gets what open() would have given it.
        os.chmod(fd, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        with open(fd, "w", encoding="utf-8") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the data is on disk before the name points at it
        os.replace(partial, target)
    except BaseException:
        try:
            os.unlink(partial)
        except FileNotFoundError:
            pass
        raise
