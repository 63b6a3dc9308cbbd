"""Rasa input channels, named in credentials.yml: the website's REST channel and Slack."""
