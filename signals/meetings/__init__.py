"""Meetings of the tables in the route: agenda, minutes, conclusions and action items."""
