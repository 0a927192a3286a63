"""Kwesties: structural issues that group many signals about one mechanism, and pattern alerts."""
