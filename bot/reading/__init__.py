"""Reading what learners type: dates, names, emails, ORCID iDs, references, corrections."""
