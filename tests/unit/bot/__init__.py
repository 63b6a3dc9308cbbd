"""Unit tests of bot/."""
