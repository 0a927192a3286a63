"""The HTTP API (``/api/v1``): JSON over the same service functions as the web UI."""
