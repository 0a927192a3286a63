"""Where a signal goes: entry node and owner resolution (the route graph builds on this)."""
