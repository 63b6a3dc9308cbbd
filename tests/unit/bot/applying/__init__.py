"""Unit tests of bot/applying/."""
