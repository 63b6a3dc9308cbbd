"""The FAQ: its answers, their Rasa responses, and the topics offered by "Did you mean ...?"."""
