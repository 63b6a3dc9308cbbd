"""Unit tests of rasa_plugins/."""
