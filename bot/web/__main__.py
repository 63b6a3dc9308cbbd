"""Runs the web service: `python -m bot.web --port 8080`."""

from __future__ import annotations

import argparse
import logging

from aiohttp import web

from bot.store.db import migrate
from bot.web.app import make_app


def main() -> None:
    parser = argparse.ArgumentParser(description="ACTS badge assistant web service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    migrate()
    web.run_app(make_app(), host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
