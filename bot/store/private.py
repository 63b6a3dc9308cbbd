"""Files and folders only their owner can read: the databases, their journals, the uploads.

They hold personal data (names, emails, certificates, conversations), so they are made owner-only
by this code itself (0600 files, 0700 folders) whatever the process's umask: a deployment that
forgets to set one (or a test runner, or a cron job) still gets private files. An existing file of
ours that is readable by others (made by an older version) is tightened when it is next opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700
# The files SQLite keeps beside a database in WAL mode (and the rollback journal, for completeness).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_folder(path: Path, tighten: bool = False) -> Path:
    """Creates `path` and its missing parents as 0700 folders. An existing folder is left as it is
    (it may be shared, like the folder a database file is put in) unless `tighten` says it is ours
    alone (the uploads folder)."""
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:
            continue  # another process made it at the same moment, and makes it private
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is cut by the umask; this is not
    if tighten:
        _tighten(path, FOLDER_MODE)
    return path


def private_file(path: Path) -> Path:
    """Makes sure `path` exists as a 0600 file (created empty if missing, never truncated)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        _tighten(path, FILE_MODE)
        return path
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return path


def private_sqlite_companions(database: Path) -> None:
    """The database's -wal and -shm files owner-only too (SQLite gives them the database's mode;
    this makes sure of it, for files made by an older version)."""
    for suffix in SQLITE_COMPANIONS:
        _tighten(database.with_name(database.name + suffix), FILE_MODE)


def _tighten(path: Path, mode: int) -> None:
    """Takes group and other permissions off `path`, if it exists and is ours."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    if status.st_uid == os.geteuid() and stat.S_IMODE(status.st_mode) & 0o077:
        try:
            os.chmod(path, stat.S_IMODE(status.st_mode) & mode)
        except FileNotFoundError:
            pass  # removed meanwhile (SQLite deletes its journal)


def append_private(path: Path, data: bytes) -> None:
    """Appends `data` to `path`, creating it 0600 if missing."""
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        os.write(descriptor, data)
    finally:
        os.close(descriptor)
