"""The Slack channel: events in, Web API calls out, and a local emulator of Slack for tests."""
