"""Unit tests: one folder per package of the code, as the code is laid out. No trained model; servers,
where a test needs one, run in a thread of the test (the emulators, the web service app)."""
