"""The website widget: in a real browser (Debian's Chromium, headless) and its scripts in Node."""
