"""Search: one box for references and words over what a person may see (issue 17)."""
