"""What a sentence means, as a vector: all-MiniLM-L6-v2 run in numpy (no torch), and its WordPiece tokenizer."""
