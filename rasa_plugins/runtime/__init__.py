"""The Rasa server's runtime: the lean launcher, its speed-ups (speedups.py, rule_index.py,
debug_log_arguments.py, slot_extraction.py, parse_in_thread.py), the conversation store named in
endpoints.yml, the Redis lock several servers share (lock_store.py), and the answer a learner gets when
an action fails."""
