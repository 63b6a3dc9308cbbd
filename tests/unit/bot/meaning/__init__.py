"""Unit tests of bot/meaning/."""
