"""The ACTS badge assistant's domain logic. Never imports Rasa, so it tests in milliseconds."""
