"""Unit tests of actions/."""
