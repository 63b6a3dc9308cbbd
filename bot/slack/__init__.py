"""Talking to Slack: the Web API client, message blocks, request signatures, learner events, shared
files, a learner's news and the reviewers' channel. The Rasa channel itself is
rasa_plugins/channels/slack.py."""
