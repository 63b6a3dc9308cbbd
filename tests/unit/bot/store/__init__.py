"""Unit tests of bot/store/."""
