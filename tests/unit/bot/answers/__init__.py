"""Unit tests of bot/answers/."""
