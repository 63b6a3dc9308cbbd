"""Local stand-ins for the services outside ACTS: Credly's API, Slack, and a mail server.

`make run` starts them when no real service is configured, and the tests drive the assistant
against them; the product's code (bot/, actions/, rasa_plugins/) never imports them.
"""
