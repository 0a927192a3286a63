"""E-mail to reporters and owners: rendering into the outbox and delivery over SMTP."""
