"""Unit tests of bot/reading/."""
