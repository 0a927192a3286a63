"""Management information: figures over the signals a person may see, to learn, not to judge."""
