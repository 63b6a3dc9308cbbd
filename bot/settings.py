"""Run-time settings, all from the environment (secrets never live in the repository)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"


def database_url() -> str:
    """PostgreSQL where DATABASE_URL says so; an SQLite file under var/ otherwise."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{VAR / 'acts.db'}"


def upload_dir() -> Path:
    """Where uploaded documents are kept: outside any web root, never served back."""
    return Path(os.environ.get("ACTS_UPLOAD_DIR") or VAR / "uploads")


def public_web_url() -> str:
    """The address learners use to reach the project's web service (upload links)."""
    return (os.environ.get("ACTS_PUBLIC_URL") or "http://localhost:8080").rstrip("/")


def upload_link_hours() -> float:
    return float(os.environ.get("ACTS_UPLOAD_LINK_HOURS") or 24)
