"""The stores' files are owner-only whatever the umask: the application database (and its -wal and
-shm), the conversation store's file (and its companions), and the uploaded documents and their
folder. A careless umask (0o000) or the usual one (0o022) makes no difference; a file an older
version left readable by others is tightened when it is next opened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.store.applications import ApplicationStore
from bot.store.conversations import Append, ConversationLog, GroupWriter
from bot.store.db import engine_for, migrate
from tests.applicants import JANE
from tests.files import pdf_bytes


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def companions(path: Path) -> list[Path]:
    return [p for p in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")) if p.exists()]


@pytest.mark.parametrize("mask", [0o000, 0o022])
def test_the_application_database_and_its_wal_are_owner_only(tmp_path, mask):
    path = tmp_path / "new-folder" / "inner" / "acts.db"
    url = f"sqlite:///{path}"
    try:
        with umask(mask):
            migrate(url)
            with engine_for(url).begin() as connection:
                connection.execute(text("SELECT count(*) FROM applications"))
            ApplicationStore(url=url, documents_dir=tmp_path / "uploads").start_draft("c1", JANE.badge_id)
            with engine_for(url).connect() as connection:  # WAL mode: both exist while a connection is open
                connection.execute(text("SELECT count(*) FROM applications"))
                assert len(companions(path)) == 2
                for file in [path, *companions(path)]:
                    assert mode(file) == 0o600, file
            assert mode(path.parent) == mode(path.parent.parent) == 0o700
    finally:
        engine_for(url).dispose()
        engine_for.cache_clear()


def test_a_database_left_readable_by_an_older_version_is_tightened(tmp_path):
    path = tmp_path / "acts.db"
    url = f"sqlite:///{path}"
    try:
        migrate(url)
        engine_for(url).dispose()
        engine_for.cache_clear()
        for file in [path, *companions(path)]:
            os.chmod(file, 0o644)
        migrate(url)
        for file in [path, *companions(path)]:
            assert mode(file) == 0o600, file
    finally:
        engine_for(url).dispose()
        engine_for.cache_clear()


@pytest.mark.parametrize("mask", [0o000, 0o022])
def test_the_conversation_store_is_owner_only(tmp_path, mask):
    path = tmp_path / "made-here" / "conversations.db"
    with umask(mask):
        log = ConversationLog(path)
        writer = GroupWriter(path).start()
        done = []
        writer.submit(Append("web:x", 0, [{"event": "user", "text": "hi"}], None, 0.0), done.append)
        writer.stop()
        assert done == [None]
        log.delete(["web:x"])  # marks a deletion in a file beside it
        log.close()
    for file in [path, *companions(path), path.with_name(path.name + ".deletions")]:
        assert mode(file) == 0o600, file
    assert mode(path.parent) == 0o700


@pytest.mark.parametrize("mask", [0o000, 0o022])
def test_uploaded_documents_and_their_folder_are_owner_only(tmp_path, mask):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    documents = tmp_path / "deep" / "uploads"
    try:
        migrate(url)
        with umask(mask):
            store = ApplicationStore(url=url, documents_dir=documents)
            store.attach_document(store.start_draft("c1", JANE.badge_id).token, "c.pdf", pdf_bytes())
        [stored] = list(documents.iterdir())
        assert mode(stored) == 0o600 and mode(documents) == 0o700 and mode(documents.parent) == 0o700
    finally:
        engine_for.cache_clear()


def test_an_uploads_folder_left_open_by_an_older_version_is_tightened(tmp_path):
    url = f"sqlite:///{tmp_path / 'acts.db'}"
    documents = tmp_path / "uploads"
    documents.mkdir()
    os.chmod(documents, 0o755)
    try:
        migrate(url)
        store = ApplicationStore(url=url, documents_dir=documents)
        store.attach_document(store.start_draft("c1", JANE.badge_id).token, "c.pdf", pdf_bytes())
        assert mode(documents) == 0o700
    finally:
        engine_for.cache_clear()
