"""SQLite's writers wait in a queue and are served in the order they came: a ticket lock on
`<database>-writelock`, taken before `BEGIN IMMEDIATE` and released after `COMMIT`.

SQLite's own busy handler makes every waiting writer poll (sleep, retry): at 200 processes on
2 cores the pollers took the CPU from the one process holding the lock and throughput fell to
one submit a second (bench_load). A writer waiting here sleeps in the kernel until its turn,
so the holder keeps the CPU.

A plain lock is not fair: a process that releases it and asks again at once (a claim, then
the next submit) takes it back before the woken waiter runs, and others waited past the 6 s
bound. So each writer draws a ticket (a counter in the file's first 8 bytes, read and bumped
under a lock on those bytes) and marks its place in line by locking the byte of its ticket
(`MARKS + ticket % SLOTS`); its turn comes when it can lock the byte of the ticket before it,
which that writer holds until it has committed. Nobody can pass: the byte a writer waits on is
only ever released by the one writer ahead of it.

The locks are Linux's open-file-description byte-range locks (`F_OFD_SETLKW`): they belong to
the open file, so two connections in one process queue like two processes, and they go with
the process when it dies (a crash or `kill -9` passes the turn on, nothing to clean up).

The bound is on a line that stands still, not on the wait: a writer waits as long as turns keep
ending ahead of it (each holder writes its ticket at `LAST_AT` as its turn ends; a waiter looks
at it a few times per bound) and gives up (busy) only when no turn ended for the whole bound,
or the writer just ahead of it held its turn that long. At 200 writers always in line a write
waits about 200 turns, seconds on a loaded machine: with the bound on the whole wait, writers
gave up in a line that was moving (162 busy notes in 15 s), and each one that gave up was one
more hand-off for those behind it. A helper thread blocks while the caller waits; a caller
that gives up leaves its place in line to the helper, which passes the turn on when it comes
and closes the file, and the next write opens the file anew. Where the lock file cannot be
opened for writing (a read-only directory), or the platform has no such locks, there is no
queue and SQLite's own busy wait remains.
"""

from __future__ import annotations

import _thread
import fcntl
import os
import struct
import time

SUFFIX = "-writelock"
SLOTS = 1 << 16  # tickets in flight at once, far above the writers one database ever has
MARKS = 1 << 20  # offset of the first ticket's byte (beyond the counter)
HEAD_POLL = 0.0005  # seconds between the head of the line's looks at the writer ahead
LOOKS = 4  # a waiter further back looks this many times per bound whether the line moved
LAST_AT = 8  # the ticket of the last turn that ended (8 bytes), written by its holder
SYNCED_AT = 16  # every ticket below it is on disk (8 bytes), written under the sync byte
SYNC_BYTE = 24  # held by the one writer syncing the log
_SETLKW: int | None = getattr(fcntl, "F_OFD_SETLKW", None)
_SETLK: int | None = getattr(fcntl, "F_OFD_SETLK", None)
_FLOCK = "hhqqi4x"  # struct flock on 64-bit Linux: type, whence, start, len, pid (0 for OFD)


def _lock(fd: int, start: int, length: int = 1, kind: int = fcntl.F_WRLCK) -> None:
    """Lock (or with F_UNLCK unlock) bytes of the file, waiting as long as it takes."""
    assert _SETLKW is not None  # WriteQueue does not queue without OFD locks
    fcntl.fcntl(fd, _SETLKW, struct.pack(_FLOCK, kind, os.SEEK_SET, start, length, 0))


def _unlock(fd: int, start: int, length: int = 1) -> None:
    _lock(fd, start, length, fcntl.F_UNLCK)


def _try(fd: int, byte: int) -> bool:
    """Lock `byte` if nobody holds it."""
    try:
        assert _SETLK is not None
        fcntl.fcntl(fd, _SETLK, struct.pack(_FLOCK, fcntl.F_WRLCK, os.SEEK_SET, byte, 1, 0))
    except BlockingIOError:
        return False
    return True


def _read(fd: int, at: int) -> int:
    raw = os.pread(fd, 8, at)
    return int(struct.unpack("<Q", raw)[0]) if len(raw) == 8 else 0


def _ticket(fd: int) -> int:
    """Draw the next ticket and mark our place in line with its byte, as one step: whoever
    draws the next ticket finds our byte already locked."""
    _lock(fd, 0, 8)
    try:
        raw = os.pread(fd, 8, 0)
        ticket = struct.unpack("<Q", raw)[0] if len(raw) == 8 else 0
        os.pwrite(fd, struct.pack("<Q", ticket + 1), 0)
        _lock(fd, MARKS + ticket % SLOTS)
    finally:
        _unlock(fd, 0, 8)
    return ticket


def _share_like(fd: int, db: os.stat_result) -> None:
    """Give a lock file we own the database file's mode (the umask took some bits) and, as
    root, its owner, as SQLite does for `-wal` and `-shm`."""
    try:
        if os.fstat(fd).st_uid == os.geteuid():
            os.fchmod(fd, db.st_mode & 0o666)
            if os.geteuid() == 0:
                os.fchown(fd, db.st_uid, db.st_gid)
    except OSError:
        pass  # someone else's file: its owner shared it


class WriteQueue:
    """The write queue of one connection to the database file at `path`."""

    def __init__(self, path: str) -> None:
        self.path = path + SUFFIX
        self._fd: int | None = None
        self._mine: int | None = None  # the byte of the ticket whose turn we hold
        self._ticket = -1  # the ticket of our last turn

    def acquire(self, timeout: float) -> bool:
        """Wait for our turn while the line moves; False (busy) once it stood still for
        `timeout` seconds: no turn ended ahead of us, or the writer just ahead held its turn
        that long. True also when there is no lock file to queue on (SQLite's busy wait
        decides)."""
        fd = self._open()
        if fd is None:
            return True
        ticket = _ticket(fd)
        mine = MARKS + ticket % SLOTS
        last, second = MARKS + (ticket - 1) % SLOTS, MARKS + (ticket - 2) % SLOTS
        if not _try(fd, last):
            # Further back than second in line: sleep until the writer two ahead is done
            # (a helper thread waits, so the wait is bounded). At the head of the line, poll
            # the one ahead: only one process polls at a time, and the turn passes without
            # waking two threads (measured: the hand-off is most of a write's time on a
            # loaded machine).
            if not _try(fd, second):
                if not self._wait(fd, second, timeout, [last], mine):
                    self._fd = None  # the helper passes our turn on and closes the file
                    return False
            _unlock(fd, second)
            deadline = time.monotonic() + timeout  # the turn ahead began about now
            while not _try(fd, last):
                if time.monotonic() >= deadline:
                    return self._abandon(fd, [last], mine)
                time.sleep(HEAD_POLL)
        _unlock(fd, last)
        self._mine, self._ticket = mine, ticket
        return True

    def release(self) -> None:
        if self._mine is not None and self._fd is not None:
            # Turns end in ticket order: every ticket up to this one has committed or given up.
            os.pwrite(self._fd, struct.pack("<Q", self._ticket), LAST_AT)
            _unlock(self._fd, self._mine)
        self._mine = None

    def sync_log(self) -> None:
        """After our turn: once it returns, the write-ahead log is on disk up to our commit
        (store/dialect.py: group commit). One writer syncs at a time, under the lock file's
        sync byte, and each sync covers every turn that had ended when it began: a writer whose
        turn such a sync covered (`SYNCED_AT`) has nothing left to do. So the disk sees one
        fsync at a time however many writers wait, as when each commit synced in its turn,
        but not in the line."""
        fd = self._fd
        if fd is None:
            self._fsync_log()
            return
        _lock(fd, SYNC_BYTE)
        try:
            if _read(fd, SYNCED_AT) > self._ticket:
                return
            last = _read(fd, LAST_AT)  # every turn up to it has ended: its frames are written
            self._fsync_log()
            os.pwrite(fd, struct.pack("<Q", last + 1), SYNCED_AT)
        finally:
            _unlock(fd, SYNC_BYTE)

    def _fsync_log(self) -> None:
        """fsync the log. No log: the last connection folded it into the file, synced."""
        try:
            fd = os.open(self.path[: -len(SUFFIX)] + "-wal", os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd, self._mine = None, None

    def _open(self) -> int | None:
        # Tried again on every write while it fails: the directory may come back (a share
        # remounted) or be made writable.
        if self._fd is not None or _SETLKW is None:
            return self._fd
        try:
            # Created as the database file is shared (its mode), so every labeler's account
            # can draw tickets.
            db = os.stat(self.path[: -len(SUFFIX)])
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, db.st_mode & 0o666)
        except OSError:
            return None
        _share_like(fd, db)
        self._fd = fd
        return fd

    def _wait(self, fd: int, byte: int, timeout: float, behind: list[int], mine: int) -> bool:
        """Lock `byte` (a helper thread waits on it) unless the line stands still for `timeout`
        seconds: no turn ended (`LAST_AT` unchanged between our looks). False then: the helper,
        once it has `byte`, waits for the writers at `behind` and passes on our turn (`mine`,
        as `_abandon`) — it, not a second thread, since both would hold `byte` through the one
        open file and the first to close it would pull it from under the other."""
        # Bare `_thread` primitives: `threading.Thread.start` waits for the new thread to
        # report in, one more hand-off between schedulers.
        got = _thread.allocate_lock()
        got.acquire()
        guard = _thread.allocate_lock()
        abandoned: list[bool] = []

        def wait() -> None:
            _lock(fd, byte)
            with guard:
                if not abandoned:
                    got.release()
                    return
            _pass_on(fd, [byte, *behind], mine)

        _thread.start_new_thread(wait, ())
        look = max(0.001, timeout / LOOKS)
        seen, moved_at = _read(fd, LAST_AT), time.monotonic()
        while not got.acquire(timeout=look):
            now, last = time.monotonic(), _read(fd, LAST_AT)
            if last != seen:
                seen, moved_at = last, now
            elif now - moved_at >= timeout:
                break
        else:
            return True
        with guard:
            if got.acquire(blocking=False):  # it came as we gave up
                return True
            abandoned.append(True)
        return False

    def _abandon(self, fd: int, ahead: list[int], mine: int) -> bool:
        """Give up our place in line (busy) without breaking it: a thread waits until every
        writer `ahead` of us is done, passes the turn on and closes the file; the next write
        opens the file anew (locks of one open file never exclude each other)."""
        self._fd = None
        _thread.start_new_thread(_pass_on, (fd, ahead, mine))
        return False


def _pass_on(fd: int, ahead: list[int], mine: int) -> None:
    """For a writer that gave up: once every writer `ahead` is done, pass its turn (`mine`)
    on and close its lock file."""
    for byte in ahead:
        _lock(fd, byte)
        _unlock(fd, byte)
    _unlock(fd, mine)
    os.close(fd)
