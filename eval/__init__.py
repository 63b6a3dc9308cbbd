"""`make eval`: how often the running assistant answers real learners' questions right (docs/evaluation.md)."""
