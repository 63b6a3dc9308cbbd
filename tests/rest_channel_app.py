"""The project's REST channel alone, in a small Sanic server, for tests that need its HTTP behaviour
without Rasa's model: `python tests/rest_channel_app.py --port N`. Each message is answered with the
conversation id and the source the channel recorded for it, as JSON text."""

from __future__ import annotations

import argparse
import json

from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.identity import SOURCE_KEY
from rasa_plugins.channels.rest import RestWithSourceInput


async def echo(message: UserMessage) -> None:
    seen = {"sender": message.sender_id, "source": (message.metadata or {}).get(SOURCE_KEY)}
    await message.output_channel.send_text_message(message.sender_id, json.dumps(seen))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app = Sanic("rest_channel_test")  # reads SANIC_* from the environment, as Rasa's server does
    app.blueprint(RestWithSourceInput().blueprint(echo), url_prefix="/webhooks/rest")
    app.run("127.0.0.1", args.port, access_log=False)


if __name__ == "__main__":
    main()
