"""Realistic Dutch demo data from the cases of the Knellende mechanismen report."""
