"""`make run`: starts the assistant's servers together on the embedded defaults, says where they
are, and stops them together (launcher/servers.py). bench/, eval/ and the tests start the same
servers through its Cluster."""
