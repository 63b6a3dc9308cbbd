"""Credly: the Web Service API client, and a local emulator of the part of the API it uses."""
