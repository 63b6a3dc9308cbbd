"""Deciding applications (reviewers' command line and decisions) and telling learners where they stand."""
