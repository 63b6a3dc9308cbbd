"""The Rasa server's runtime: the lean launcher, its speed-ups, the conversation store named in
endpoints.yml, the Redis lock several servers share (lock_store.py), and the answer a learner gets when
an action fails."""
