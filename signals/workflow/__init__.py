"""Signals and their lifecycle: submitting, ownership, feedback, resolution and the event log."""
