"""The training data and the trained model: data checks, story tests, NLU accuracy on held-out
questions, and Rasa's own agent with our speed-ups applied."""
