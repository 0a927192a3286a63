"""Retention: how long what the service stores about people is kept, and how it goes.

- :mod:`.anonymise`: a closed signal's free text and names, ``SIGNALS_RETENTION_MONTHS``
  after it was closed (codes, dates, the route and the outcome stay for the figures);
- :mod:`.services`: the administrator's legal hold that keeps a signal from that;
- :mod:`.purge`: one round of all retention work (anonymising, sent and dead e-mail in the
  outbox, failed log-ins), as the scheduler's sweep and ``signals privacy purge`` run it,
  or as a dry run that says what would go;
- :mod:`.audit`: the one permitted change of the append-only history (its trigger on
  PostgreSQL is made by the migration ``5e0a7c1d2b94``).
"""
