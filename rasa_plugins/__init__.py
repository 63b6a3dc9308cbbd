"""Code that runs inside the Rasa server process: NLU components (`nlu/`), input channels
(`channels/`), and the server's runtime (`runtime/`: the launcher, the conversation store, speed-ups
and how a failed action is answered).

It has its own package because neither of the others can hold it: `bot/` never imports Rasa (so it
stays testable in milliseconds) and every module under `actions/` is imported by the action server,
which must not pay for loading Rasa and TensorFlow. config.yml, credentials.yml and endpoints.yml
name these classes by module path.
"""
