"""Applying for a badge: the catalogue, who is eligible, and the form's steps."""
