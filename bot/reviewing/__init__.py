"""Deciding applications (reviewers' command line and decisions), issuing approved badges through the
outbox, and telling learners where they stand."""
