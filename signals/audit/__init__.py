"""The access log: who read or exported what, and what administrators did (AVG, privacy)."""
