"""Slack Web API clients configured from the environment, with slack_sdk's retry handlers.

Slack answers 429 with Retry-After when a method is called too often, and a network blip can drop
a connection: both are retried (a few times, waiting as Slack asks) before an error is raised.
"""

from __future__ import annotations

from functools import lru_cache

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import SlackSettings

RETRIES = 3
TIMEOUT_SECONDS = 10


@lru_cache(maxsize=4)
def web_client(settings: SlackSettings) -> WebClient:
    """For code that runs in a thread (the action server, the reviewer's decisions)."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=RETRIES),
            ConnectionErrorRetryHandler(max_retry_count=RETRIES),
        ],
    )


def async_web_client(settings: SlackSettings) -> AsyncWebClient:
    """For the Rasa channel's event loop (one per channel: an aiohttp session belongs to its loop)."""
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=RETRIES),
        ],
    )
