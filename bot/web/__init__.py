"""The project's own small web service: one-time document uploads, Credly webhooks, the demo page and
chat widget, its OpenAPI description, and the badge-issuing outbox's worker."""
