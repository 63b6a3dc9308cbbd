"""Handoff to a person: a learner the assistant cannot help reaches ACTS staff, and the staff's answers
come back to the learner (docs/handoff.md)."""
