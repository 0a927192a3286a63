"""Organisations, users, roles and route-node groups; logging in and out."""
