"""The FAQ: its answers, their Rasa responses, and the topics answered or offered when a message is unsure."""
