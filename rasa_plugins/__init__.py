"""Code that runs inside the Rasa server process: a custom NLU component and tracker store.

It has its own package because neither of the others can hold it: `bot/` never imports
Rasa (so it stays testable in milliseconds) and every module under `actions/` is imported
by the action server, which must not pay for loading Rasa and TensorFlow. config.yml and
endpoints.yml name these classes by module path.
"""
