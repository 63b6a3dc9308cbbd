"""The action server, as rasa_sdk's but closed: `python -m actions.server --port 5055`.

rasa_sdk's own server listens on every interface, answers any web page (CORS "*"), and when an
action fails it sends back the whole request, the conversation with every slot in it, which Rasa
then writes to its log. This one listens on 127.0.0.1 unless told otherwise (ACTS_BIND_HOST, for
containers), allows no cross-origin calls, answers a failure with its type only, and, when
ACTS_ACTION_SERVER_TOKEN is set, runs actions only for callers that send that token (Rasa does,
as `?token=` from endpoints.yml, which bot/serve.py writes).
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

log = logging.getLogger(__name__)
PROTECTED = ("/webhook", "/actions")


def token_accepted(request: Request, token: str) -> bool:
    given = request.args.get("token") or request.headers.get("Authorization", "").removeprefix("Bearer ")
    return hmac.compare_digest(given.encode(), token.encode())


def make_app(token: str | None) -> Sanic:
    app = create_app("actions", cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request):
        if token and request.path in PROTECTED and not token_accepted(request, token):
            return response.json({"error": "a valid token is required"}, status=401)
        return None

    async def failure(request: Request, exception: Exception):
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
    parser.add_argument("--host", default=os.environ.get("ACTS_BIND_HOST") or "127.0.0.1")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    token = os.environ.get("ACTS_ACTION_SERVER_TOKEN", "").strip() or None
    make_app(token).run(args.host, args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
