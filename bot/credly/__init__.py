"""Credly: the Web Service API client and the sync of badge states (a local emulator of the API is
emulators/credly.py)."""
