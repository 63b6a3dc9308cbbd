"""The action server, as rasa_sdk's but closed: `python -m actions.server --port 5055`.

rasa_sdk's own server listens on every interface, answers any web page (CORS "*"), runs actions
for anyone who can reach it, and when an action fails it sends back the whole request, the
conversation with every slot in it, which Rasa then writes to its log. This one listens on
127.0.0.1 unless told otherwise (ACTS_BIND_HOST, for containers), allows no cross-origin calls,
answers a failure with its type only, and answers nothing but its health check (`GET /health`,
spelled exactly so) to a caller without the token ACTS_ACTION_SERVER_TOKEN (Rasa sends it as
`?token=`, from the endpoints.yml that launcher/servers.py writes). Without a token it does not start:
`make run` passes the one it keeps in var/ (bot.settings.action_server_token); ACTS_ACTION_SERVER_INSECURE=1
runs it open anyway, for a throwaway experiment only.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import sys

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request

from bot.settings import action_server_insecure, bind_host, configured_action_server_token

log = logging.getLogger(__name__)
OPEN_METHODS = ("GET", "HEAD")
OPEN_PATH = "/health"
REFUSED = {"error": "a valid token is required"}
NO_TOKEN = (
    "The action server needs a token: set ACTS_ACTION_SERVER_TOKEN (the same one Rasa's endpoints.yml "
    "sends), or start it with `make run`, which creates one. ACTS_ACTION_SERVER_INSECURE=1 runs it "
    "without one (anyone who can reach it can then run actions)."
)


def is_open(request: Request) -> bool:
    """The health check alone needs no token. The path is compared as it arrived (not decoded or
    normalised): `/health/`, `//health` or `/%68ealth` need the token like every other route, so no
    spelling that the router might map to another handler can slip through."""
    return request.method in OPEN_METHODS and request.path == OPEN_PATH


def token_accepted(request: Request, token: str) -> bool:
    given = request.args.get("token") or request.headers.get("Authorization", "").removeprefix("Bearer ")
    return hmac.compare_digest(given.encode(), token.encode())  # constant time: no guessing byte by byte


def refused(request: Request, token: str | None) -> bool:
    return bool(token) and not is_open(request) and not token_accepted(request, token)


def make_app(token: str | None) -> Sanic:
    app = create_app("actions", cors_origins=None)

    async def require_token(request: Request):
        return response.json(REFUSED, status=401) if refused(request, token) else None

    # The first request middleware, ahead of the one the CORS extension puts first as the server starts
    # (it answers any OPTIONS request itself). Sanic runs request middleware for requests the router
    # matched (before the handler) and for those it did not (404, 405, before the error handler): a
    # caller without the token reaches nothing, not even an answer that tells which routes exist.
    @app.listener("before_server_start")
    async def token_first(app: Sanic, _loop) -> None:
        app.request_middleware.appendleft(require_token)

    async def failure(request: Request, exception: Exception):
        if refused(request, token):  # an error before any middleware ran (e.g. a body too large)
            return response.json(REFUSED, status=401)
        if isinstance(exception, SanicException) and exception.status_code < 500:
            return response.json({"error": type(exception).__name__}, status=exception.status_code)
        # The type and the conversation id only: the request and the error's text may carry the
        # learner's answers, and Rasa logs whatever comes back.
        call = request.json if isinstance(request.json, dict) else {}
        log.error("action %s failed in conversation %s: %s", call.get("next_action"), call.get("sender_id"),
                  type(exception).__name__)  # fmt: skip
        return response.json({"error": type(exception).__name__}, status=500)

    app.error_handler.add(Exception, failure)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description="The ACTS badge assistant's action server")
    parser.add_argument("--host", default=bind_host())
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    token = configured_action_server_token()  # make run passes its own
    if not token and not action_server_insecure():
        print(NO_TOKEN, file=sys.stderr)
        sys.exit(2)
    make_app(token).run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
