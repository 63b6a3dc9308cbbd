"""End to end: the real servers (Rasa, the action server, the web service, the emulators), started as
`make run` starts them, driven over HTTP."""
