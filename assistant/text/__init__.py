"""Text utilities shared by every layer: Chinese numerals, normalisation for matching, value parsing."""
