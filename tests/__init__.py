"""The test suite: unit/ mirrors the code (fast, no trained model, no servers of its own beyond threads),
model/ checks the training data and the trained model, e2e/ drives the real servers over HTTP, browser/
drives the widget in Chromium. Helpers shared by all of them live here."""
