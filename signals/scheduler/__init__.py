"""The scheduler: periodic sweeps that deliver mail (and, later, enforce deadlines)."""
