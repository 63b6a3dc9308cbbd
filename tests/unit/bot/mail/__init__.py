"""Unit tests of bot/mail/."""
