"""Unit tests of bot/credly/."""
