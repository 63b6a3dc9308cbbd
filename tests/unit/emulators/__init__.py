"""Unit tests of emulators/."""
