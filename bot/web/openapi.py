"""The web service described in OpenAPI 3 (served at /openapi.json): what each route takes and what it
answers, so clients know, and so tests/e2e/test_web_fuzz.py can throw Schemathesis at every route."""

from __future__ import annotations

from typing import Any

from bot.store.uploads import MAX_UPLOAD_BYTES

_MESSAGE = {
    "type": "object",
    "required": ["ok", "message"],
    "properties": {"ok": {"type": "boolean"}, "message": {"type": "string"}},
}
_HTML = {"text/html": {"schema": {"type": "string"}}}


def _answer(description: str, json_schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """An upload answer: JSON when the client asks for it (Accept: application/json), else a page."""
    return {
        "description": description,
        "content": {"application/json": {"schema": json_schema or _MESSAGE}, **_HTML},
    }


def _json(description: str, schema: dict[str, Any] | None = None, headers: dict | None = None) -> dict[str, Any]:
    answer = {"description": description, "content": {"application/json": {"schema": schema or _MESSAGE}}}
    return {**answer, "headers": headers} if headers else answer


_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_RETRY = {"Retry-After": {"description": "Seconds to wait before sending again", "schema": {"type": "integer"}}}
_SECRET = {
    "name": "secret",
    "in": "path",
    "required": True,
    "description": "The deployment's webhook secret (ACTS_CREDLY_WEBHOOK_SECRET), part of the organisation's "
    "webhook_url in Credly: Credly sends no header of ours.",
    "schema": {"type": "string"},
}


_TOKEN = {
    "name": "token",
    "in": "path",
    "required": True,
    "description": "The one-time token of the upload link the assistant sent.",
    "schema": {"type": "string"},
}
_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
_ANSWERS = {
    "type": "object",
    "required": ["reference", "open", "answers"],
    "properties": {
        "reference": {"type": "string"},
        "open": {"type": "boolean"},
        "answers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "text"],
                "properties": {"id": {"type": "integer"}, "text": {"type": "string"}},
            },
        },
    },
}
_UPLOADED = {
    "type": "object",
    "required": ["ok", "message", "document"],
    "properties": {
        "ok": {"type": "boolean", "const": True},
        "message": {"type": "string"},
        "document": {
            "type": "object",
            "required": ["name", "size", "summary"],
            "properties": {"name": {"type": "string"}, "size": {"type": "integer"}, "summary": {"type": "string"}},
        },
    },
}
_STATUS_OK = {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}}

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "ACTS badge assistant web service",
        "version": "1.0",
        "description": "One-time certificate upload links, Credly webhooks, the demo page and the chat widget's "
        "files. Every refusal carries a message for the learner; no answer carries a traceback.",
    },
    "paths": {
        "/health": {
            "get": {"summary": "Liveness", "responses": {"200": _json("Up", _STATUS_OK)}},
        },
        "/openapi.json": {
            "get": {
                "summary": "This description",
                "responses": {"200": {"description": "OpenAPI 3", "content": {"application/json": {}}}},
            },
        },
        "/": {
            "get": {
                "summary": "The demo page with the chat widget",
                "responses": {"200": {"description": "Page", "content": _HTML}},
            },
        },
        "/favicon.ico": {"get": {"summary": "No icon", "responses": {"204": {"description": "Nothing"}}}},
        "/static/{name}": {
            "get": {
                "summary": "The chat widget's scripts and styles (gzip when accepted)",
                "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "The file",
                        "content": {"text/javascript": {}, "text/css": {}},
                    },
                    "304": {"description": "Not modified (If-None-Match)"},
                    "404": {"description": "No such file", "content": {"text/plain": {}}},
                },
            },
        },
        "/handoff/{token}/answers": {
            "get": {
                "summary": "A person's answers to a learner's request, for the chat whose page is open",
                "parameters": [
                    {
                        "name": "token",
                        "in": "path",
                        "required": True,
                        "description": "The request's own secret, given to the chat of its conversation.",
                        "schema": {"type": "string"},
                    },
                    {
                        "name": "after",
                        "in": "query",
                        "required": False,
                        "description": "The last answer's id the chat has; only newer ones are sent.",
                        "schema": {"type": "integer", "minimum": 0},
                    },
                ],
                "responses": {
                    "200": _json("The request and its new answers", _ANSWERS),
                    "400": _json('"after" is not a number', _ERROR),
                    "404": _json("No request has this secret", _ERROR),
                },
            },
        },
        "/upload/{token}": {
            "parameters": [_TOKEN],
            "get": {
                "summary": "The upload page of a link",
                "responses": {
                    "200": {"description": "The upload form", "content": _HTML},
                    "404": {"description": "Unknown, used or expired link", "content": _HTML},
                    "503": {"description": "The database cannot be reached; try again", "content": _HTML},
                },
            },
            "post": {
                "summary": "Upload the certificate (PDF, PNG or JPEG, judged by its bytes)",
                "parameters": [
                    {
                        "name": "Accept",
                        "in": "header",
                        "required": False,
                        "description": "application/json for a JSON answer; otherwise an HTML page.",
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {"file": {"type": "string", "format": "binary"}},
                            }
                        }
                    },
                },
                "responses": {
                    "201": _answer("Stored", _UPLOADED),
                    "400": _answer("Not a multipart form with a file"),
                    "408": _answer("The upload took too long"),
                    "413": _answer(f"Over the limit ({MAX_UPLOAD_BYTES // (1024 * 1024)} MB)"),
                    "422": _answer("Refused: the link is not valid, or the file is not an acceptable certificate"),
                    "503": _answer("The database cannot be reached; try again"),
                },
            },
            "options": {
                "summary": "CORS preflight for the chat widget",
                "responses": {"204": {"description": "Allowed origins get CORS headers"}},
            },
        },
        "/webhooks/credly/{secret}": {
            "parameters": [_SECRET],
            "post": {
                "summary": "Credly event notification (unsigned: only a hint, read back from Credly's API); "
                "each event id is handled once, and each address may send a limited number a minute",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["id"],
                                "properties": {
                                    "id": {"type": "string"},
                                    "organization_id": {"type": "string"},
                                    "event_type": {"type": "string"},
                                    "occurred_at": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": _json(
                        "Handled (or not an event of ours)",
                        {"type": "object", "required": ["ok"], "properties": {"ok": {"type": "boolean"}}},
                    ),
                    "400": _json("Not a Credly event notification"),
                    "404": {"description": "Not the deployment's secret: as if no such path", "content": _TEXT},
                    "408": _json("The body took too long to arrive"),
                    "413": _json("Far larger than any event notification"),
                    "429": _json("Too many from this address this minute; Credly sends it again later", headers=_RETRY),
                    "503": _json(
                        "Credly or the database cannot be reached, or the same event is being handled right now; "
                        "Credly sends it again later",
                        headers=_RETRY,
                    ),
                },
            },
        },
    },
}
