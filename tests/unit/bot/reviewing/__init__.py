"""Unit tests of bot/reviewing/."""
