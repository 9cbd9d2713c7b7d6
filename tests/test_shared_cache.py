"""REDIS_URL: one cache for every server; sessions in the database either way; without it, the embedded default."""

import pytest

from .test_settings import PRODUCTION_KEY, manage

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": PRODUCTION_KEY, "ALLOWED_HOSTS": "iglo.example.org"}
SHOW = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)"


def test_with_redis_url_the_cache_and_the_sessions_are_shared():
    result = manage("shell", "-c", SHOW, **PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "django.core.cache.backends.redis.RedisCache",
        "iglo.sessions",
    ]


def test_without_redis_url_each_process_keeps_its_own_cache_and_sessions_stay_in_the_database():
    result = manage("shell", "-c", SHOW, **PRODUCTION, REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "iglo.sessions",
    ]


@pytest.mark.parametrize("url", ["http://cache:6379/0", "127.0.0.1:6379"])
def test_it_refuses_to_start_with_a_redis_url_that_is_not_one(url):
    result = manage("check", **PRODUCTION, REDIS_URL=url)
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


def test_check_deploy_is_clean_with_redis():
    result = manage("check", "--deploy", **PRODUCTION, REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
