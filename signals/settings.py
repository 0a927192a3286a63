"""The service's own settings, typed and checked once, when the app is made.

:func:`read_settings` turns the merged configuration (the defaults of :mod:`signals.config`,
then ``SIGNALS_*`` environment variables, then the factory's ``config``) into one frozen
:class:`Settings`; the code reads ``settings().reopen_window_days`` and never converts a
value itself. A value that does not do stops the start with :class:`SettingsError`, which
names every bad variable, what it holds and what is expected, in Dutch and English.

Flask's and its extensions' own keys (``SECRET_KEY``, ``SQLALCHEMY_*``, cookies, CSRF) stay
in ``app.config``, where those libraries read them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app

EXTENSION_KEY = "signals.settings"
T = TypeVar("T")


class SettingsError(RuntimeError):
    """One or more settings hold a value the service cannot run with."""


class BadValue(ValueError):
    """A value that does not do: what is expected instead, in Dutch and English."""

    def __init__(self, dutch: str, english: str) -> None:
        super().__init__(f"verwacht {dutch} / expected {english}")


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Every setting the service reads, as the type it is used as (see ``signals/config.py``)."""

    routes: str
    timezone: str
    base_url: str | None
    mail_from: str
    smtp_host: str | None
    smtp_port: int
    smtp_timeout: float
    reopen_window_days: int
    pattern_alert_threshold: int
    pattern_alert_days: int
    reminder_working_days: int
    followup_months: int
    digest_hour: int
    office_hours_end: int
    trust_pulse_months: tuple[int, ...]
    scheduler_interval: int
    scheduler_helpers: int
    scheduler_helpers_from: int
    trusted_proxies: int
    auth_failure_limit: int
    auth_failure_window: int
    auth_failure_delay: float
    auth_failure_memory: int
    password_hash_method: str
    figures_refresh_minutes: int
    report_recipients: tuple[str, ...]
    anonymous: bool
    anonymous_daily_limit: int
    retention_months: int
    outbox_retention_days: int
    access_log_retention_months: int
    metrics: bool
    log_format: str

    @property
    def zone(self) -> ZoneInfo:
        """The business time zone (deadlines, office hours, dates on pages and in mail)."""
        return ZoneInfo(self.timezone)


# Readers: each takes the raw value (a string from the environment, JSON-parsed by Flask
# when it looks like a number, or whatever the factory's ``config`` holds) and returns it
# typed, or raises BadValue.


def whole(minimum: int, maximum: int | None = None) -> Callable[[object], int]:
    """A whole number from ``minimum`` (to ``maximum``, if given)."""

    def read(value: object) -> int:
        number = _as_int(value)
        if number is None or number < minimum or (maximum is not None and number > maximum):
            if maximum is None:
                raise BadValue(
                    f"een heel getal van ten minste {minimum}", f"a whole number ≥ {minimum}"
                )
            raise BadValue(
                f"een heel getal van {minimum} tot en met {maximum}",
                f"a whole number from {minimum} to {maximum}",
            )
        return number

    return read


FLAG_WORDS: Mapping[str, bool] = {
    "true": True,
    "1": True,
    "yes": True,
    "ja": True,
    "on": True,
    "false": False,
    "0": False,
    "no": False,
    "nee": False,
    "off": False,
}


def flag(value: object) -> bool:
    """On or off: ``true``/``false`` (also 1/0, yes/no, ja/nee, on/off)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in FLAG_WORDS:
        return FLAG_WORDS[value.strip().lower()]
    raise BadValue("true of false", "true or false")


def positive_number(value: object) -> float:
    """A number above zero (seconds: may have a fraction)."""
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not number > 0 or number == float("inf"):
        raise BadValue("een getal groter dan 0", "a number above 0")
    return number


def text(value: object) -> str:
    """Non-empty text."""
    if not isinstance(value, str) or not value.strip():
        raise BadValue("een tekst", "a non-empty text")
    return value.strip()


def choice(*words: str) -> Callable[[object], str]:
    """One of ``words`` (any case)."""

    def read(value: object) -> str:
        word = value.strip().lower() if isinstance(value, str) else ""
        if word not in words:
            listed = " of ".join(words)
            raise BadValue(listed, " or ".join(words))
        return word

    return read


def optional_text(value: object) -> str | None:
    """Text, or nothing (unset or empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return text(value)


def time_zone(value: object) -> str:
    """The name of a time zone in the IANA database, such as ``Europe/Amsterdam``."""
    name = text(value) if isinstance(value, str) else ""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadValue(
            "een tijdzone zoals Europe/Amsterdam", "a time zone such as Europe/Amsterdam"
        ) from None
    return name


def web_address(value: object) -> str | None:
    """An http(s) address without query or fragment (links in mail start with it), or unset."""
    address = optional_text(value)
    if address is None:
        return None
    parts = urlsplit(address)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise BadValue(
            "een webadres zoals https://signalen.gemeente.nl", "an address like https://…"
        )
    if parts.query or parts.fragment:
        raise BadValue("een webadres zonder ? of #", "an address without ? or #")
    return address


def mail_address(value: object) -> str:
    """An e-mail address, bare or with a name (``Signalen <signalen@gemeente.nl>``)."""
    address = text(value) if isinstance(value, str) else ""
    if "@" not in address:
        raise BadValue("een e-mailadres", "an e-mail address")
    return address


def mail_addresses(value: object) -> tuple[str, ...]:
    """Comma-separated e-mail addresses (or a list of them), or none (unset or empty)."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts: list[object] = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise BadValue("e-mailadressen, gescheiden door komma's", "comma-separated addresses")
    return tuple(mail_address(part) for part in parts)


def month_numbers(value: object) -> tuple[int, ...]:
    """Month numbers (1 to 12), comma-separated in text (``3,9``), sorted, each once; empty: none.

    Flask reads a single number from the environment as a number, and a configuration made
    from settings holds a tuple: both are taken too.
    """
    items: list[object]
    if isinstance(value, str):
        items = [item.strip() for item in value.split(",")] if value.strip() else []
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = [value]
    numbers = {_as_int(item) for item in items}
    if None in numbers or not all(1 <= number <= 12 for number in numbers if number is not None):
        raise BadValue(
            "maandnummers van 1 tot en met 12, gescheiden door komma's (zoals 3,9), of niets",
            "month numbers from 1 to 12 separated by commas (like 3,9), or nothing",
        )
    return tuple(sorted(number for number in numbers if number is not None))


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


READERS: Mapping[str, Callable[[object], Any]] = {
    "routes": text,
    "timezone": time_zone,
    "base_url": web_address,
    "mail_from": mail_address,
    "smtp_host": optional_text,
    "smtp_port": whole(1, 65535),
    "smtp_timeout": positive_number,
    "reopen_window_days": whole(0),
    "pattern_alert_threshold": whole(1),
    "pattern_alert_days": whole(1),
    "reminder_working_days": whole(0),
    "followup_months": whole(1),
    "digest_hour": whole(0, 23),
    "office_hours_end": whole(1, 24),
    "trust_pulse_months": month_numbers,
    "scheduler_interval": whole(1),
    "scheduler_helpers": whole(0, 64),
    "scheduler_helpers_from": whole(1),
    "trusted_proxies": whole(0, 10),
    "auth_failure_limit": whole(1),
    "auth_failure_window": whole(1),
    "auth_failure_delay": positive_number,
    "auth_failure_memory": whole(1),
    "password_hash_method": text,
    "figures_refresh_minutes": whole(1),
    "report_recipients": mail_addresses,
    "anonymous": flag,
    "anonymous_daily_limit": whole(1),
    "retention_months": whole(1),
    "outbox_retention_days": whole(1),
    "access_log_retention_months": whole(1),
    "metrics": flag,
    "log_format": choice("text", "json"),
}


def read_settings(config: Mapping[str, Any]) -> Settings:
    """The settings in ``config`` (upper-case keys), typed; every bad value in one error."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in fields(Settings):
        key = field.name.upper()
        try:
            values[field.name] = READERS[field.name](config.get(key))
        except BadValue as bad:
            problems.append(f"SIGNALS_{key}={config.get(key)!r}: {bad}")
    if not problems and values["digest_hour"] >= values["office_hours_end"]:
        problems.append(
            f"SIGNALS_DIGEST_HOUR={values['digest_hour']}: verwacht een uur vóór "
            f"SIGNALS_OFFICE_HOURS_END ({values['office_hours_end']}) / expected an hour "
            "before the end of office hours"
        )
    if problems:
        raise SettingsError(
            "Ongeldige instelling(en) / invalid setting(s):\n  " + "\n  ".join(problems)
        )
    return Settings(**values)


def as_config(settings: Settings) -> dict[str, Any]:
    """``settings`` as configuration keys again (for an app made from this one's, elsewhere)."""
    return {field.name.upper(): getattr(settings, field.name) for field in fields(Settings)}


def install(app: Flask) -> Settings:
    """Read ``app``'s settings once and keep them with the app (the factory calls this)."""
    settings = read_settings(app.config)
    app.extensions[EXTENSION_KEY] = settings
    return settings


def settings_of(app: Flask) -> Settings:
    """``app``'s settings."""
    found: Settings = app.extensions[EXTENSION_KEY]
    return found


def settings() -> Settings:
    """The current app's settings."""
    return settings_of(current_app)
