"""Settings are read once, typed, and a bad value stops the start with a message that helps."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from signals import create_app
from signals.config import Config
from signals.settings import Settings, SettingsError, as_config, read_settings


def defaults(**changes: object) -> dict[str, object]:
    config = {key: getattr(Config, key) for key in dir(Config) if key.isupper()}
    return {**config, **changes}


def test_the_defaults_are_read_as_their_types() -> None:
    settings = read_settings(defaults())

    assert settings.reopen_window_days == 14
    assert settings.smtp_timeout == 120.0 and isinstance(settings.smtp_timeout, float)
    assert settings.base_url is None and settings.smtp_host is None
    assert str(settings.zone) == "Europe/Amsterdam"


def test_text_from_the_environment_becomes_a_number_and_empty_text_nothing() -> None:
    settings = read_settings(
        defaults(REOPEN_WINDOW_DAYS="7", AUTH_FAILURE_DELAY="0.5", BASE_URL="", SMTP_HOST=" ")
    )

    assert (settings.reopen_window_days, settings.auth_failure_delay) == (7, 0.5)
    assert settings.base_url is None and settings.smtp_host is None


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("REOPEN_WINDOW_DAYS", "veertien", "een heel getal van ten minste 0"),
        ("REOPEN_WINDOW_DAYS", -1, "a whole number ≥ 0"),
        ("REOPEN_WINDOW_DAYS", True, "een heel getal"),
        ("DIGEST_HOUR", 25, "een heel getal van 0 tot en met 23"),
        ("SMTP_PORT", 70000, "from 1 to 65535"),
        ("SMTP_TIMEOUT", "0", "een getal groter dan 0"),
        ("TIMEZONE", "Europe/Almere", "een tijdzone zoals Europe/Amsterdam"),
        ("BASE_URL", "signalen.gemeente.nl", "an address like https://"),
        ("BASE_URL", "https://signalen.gemeente.nl/?x=1", "zonder ? of #"),
        ("MAIL_FROM", "signalen", "een e-mailadres"),
        ("PASSWORD_HASH_METHOD", "", "een tekst"),
        ("TRUST_PULSE_MONTHS", "3,13", "maandnummers van 1 tot en met 12"),
        ("TRUST_PULSE_MONTHS", "maart", "month numbers from 1 to 12"),
        ("TRUST_PULSE_MONTHS", "3,,9", "gescheiden door komma's"),
    ],
)
def test_a_bad_value_names_the_variable_the_value_and_what_is_expected(
    key: str, value: object, expected: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        read_settings(defaults(**{key: value}))

    message = str(refused.value)
    assert f"SIGNALS_{key}={value!r}" in message
    assert expected in message
    assert "verwacht" in message and "expected" in message


@pytest.mark.parametrize(
    ("value", "months"),
    [("3,9", (3, 9)), (" 9, 3 ,3", (3, 9)), (6, (6,)), ([12, 1], (1, 12)), ("", ()), (" ", ())],
)
def test_pulse_months_are_month_numbers_and_nothing_means_never(
    value: object, months: tuple[int, ...]
) -> None:
    assert read_settings(defaults(TRUST_PULSE_MONTHS=value)).trust_pulse_months == months
    assert read_settings(defaults()).trust_pulse_months == (3, 9)


def test_every_bad_value_is_reported_at_once() -> None:
    with pytest.raises(SettingsError) as refused:
        read_settings(defaults(FOLLOWUP_MONTHS=0, TRUSTED_PROXIES="twee"))

    assert "SIGNALS_FOLLOWUP_MONTHS=0" in str(refused.value)
    assert "SIGNALS_TRUSTED_PROXIES='twee'" in str(refused.value)


def test_the_digest_must_start_before_the_office_closes() -> None:
    with pytest.raises(SettingsError, match="SIGNALS_DIGEST_HOUR=18: verwacht een uur vóór"):
        read_settings(defaults(DIGEST_HOUR=18, OFFICE_HOURS_END=18))


def test_settings_are_frozen_and_survive_the_trip_to_configuration_and_back() -> None:
    settings = read_settings(defaults(REOPEN_WINDOW_DAYS=3))

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.reopen_window_days = 5  # type: ignore[misc]
    assert read_settings(defaults(**as_config(settings))) == settings
    assert {field.name.upper() for field in dataclasses.fields(Settings)} <= set(defaults())


def test_the_factory_refuses_to_start_with_a_bad_environment_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SIGNALS_REOPEN_WINDOW_DAYS", "veertien")

    with pytest.raises(SettingsError, match="SIGNALS_REOPEN_WINDOW_DAYS='veertien'"):
        create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"})


def test_the_command_line_says_what_is_wrong_without_a_traceback(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "SIGNALS_DEBUG": "true",
        "SIGNALS_DIGEST_HOUR": "25",
        "SIGNALS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from signals.cli import main; main()", "scheduler", "tick"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 1
    assert "SIGNALS_DIGEST_HOUR=25: verwacht een heel getal van 0 tot en met 23" in done.stderr
    assert "Traceback" not in done.stderr
