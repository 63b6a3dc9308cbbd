"""What learners ask and where they give up, for ACTS staff: Rasa's events turned into analytics rows
keyed by a salted hash of the conversation (no names, addresses, ORCIDs, references or links), and
the report built from them (docs/insights.md)."""
