"""Notices owed after a change was stored: the reviewers' post of a new application, and a learner's
news (a Slack DM, or a mail to a web learner), delivered from a durable outbox with retries.

`outbox` keeps them in the database (the `notices` table), `sending` knows how to deliver each
kind, `worker` claims due notices and delivers them (right after they were queued, and every few
seconds in the web service), and `tell` is what the code that makes a change calls.
"""
