"""`make bench`: this assistant against stock Rasa, trained on the same data, in one run."""
