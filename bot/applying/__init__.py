"""Applying for a badge: the catalogue, who is eligible, and the form: its answers, its turns and what it says."""
