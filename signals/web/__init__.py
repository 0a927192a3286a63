"""The server-rendered Dutch web UI (blueprint ``web``): parse, call a service, render."""
