"""Unit tests of bot/notices/."""
