"""Unit tests of eval/."""
