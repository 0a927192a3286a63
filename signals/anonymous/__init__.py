"""The anonymous channel: a signal without a reporter, followed with a receipt code."""
