"""The daily jobs' settings refuse bad values at start, naming the setting."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from motherline import settings as project_settings


@pytest.mark.parametrize(
    "value",
    [
        "motherline.example.org",
        "ftp://motherline.example.org",
        "https://",
        "https://motherline.example.org/?next=/",
        "https://motherline.example.org/#top",
        "https://admin:secret@motherline.example.org",
        "https://motherline.example.org:port",
        "https://motherline .example.org",
    ],
)
def test_a_malformed_site_address_is_refused(monkeypatch, value):
    monkeypatch.setenv("MOTHERLINE_SITE_URL", value)
    with pytest.raises(ImproperlyConfigured, match="MOTHERLINE_SITE_URL"):
        project_settings.site_url("MOTHERLINE_SITE_URL")


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("https://motherline.example.org/", "https://motherline.example.org"),
        ("http://10.0.0.5:8000/motherline/", "http://10.0.0.5:8000/motherline"),
        ("", ""),
    ],
)
def test_a_site_address_is_kept_without_its_trailing_slash(monkeypatch, value, kept):
    monkeypatch.setenv("MOTHERLINE_SITE_URL", value)
    assert project_settings.site_url("MOTHERLINE_SITE_URL") == kept


@pytest.mark.parametrize("value", ["0", "-3", "seven", "2.5"])
def test_backups_kept_must_be_a_whole_number_of_at_least_one(monkeypatch, value):
    monkeypatch.setenv("MOTHERLINE_BACKUP_KEEP", value)
    with pytest.raises(ImproperlyConfigured, match="MOTHERLINE_BACKUP_KEEP"):
        project_settings.envint_at_least("MOTHERLINE_BACKUP_KEEP", 7, 1)


@pytest.mark.parametrize("value", ["every day", "61 1 * * *", "30 1 * *"])
def test_a_malformed_schedule_is_refused(monkeypatch, value):
    monkeypatch.setenv("MOTHERLINE_SCHEDULE_BACKUP", value)
    with pytest.raises(ImproperlyConfigured, match="MOTHERLINE_SCHEDULE_BACKUP"):
        project_settings.cron("MOTHERLINE_SCHEDULE_BACKUP", "30 1 * * *")


def test_a_schedule_is_read(monkeypatch):
    monkeypatch.setenv("MOTHERLINE_SCHEDULE_BACKUP", "15 2 * * 1")
    assert project_settings.cron("MOTHERLINE_SCHEDULE_BACKUP", "30 1 * * *") == "15 2 * * 1"
