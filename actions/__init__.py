"""Rasa SDK actions: thin adapters between Rasa and the domain logic in bot/."""
