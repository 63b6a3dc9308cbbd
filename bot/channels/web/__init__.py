"""The project's own small web service: document uploads (and, later, Credly webhooks)."""
