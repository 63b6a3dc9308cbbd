"""NLU components of our own, named in config.yml: how a message is read as an intent."""
