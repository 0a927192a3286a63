"""Shared fixtures; the suite runs on SQLite, or on PostgreSQL with SIGNALS_TEST_DATABASE_URL."""

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.people",
    "tests.fixtures.smtp",
    "tests.fixtures.api",
    "tests.fixtures.small_world",
]
