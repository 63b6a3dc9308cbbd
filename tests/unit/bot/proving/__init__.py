"""Unit tests of bot/proving/."""
