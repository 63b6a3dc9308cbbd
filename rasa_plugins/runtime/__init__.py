"""The Rasa server's runtime: the lean launcher, its speed-ups, the conversation store named in
endpoints.yml, and the answer a learner gets when an action fails."""
