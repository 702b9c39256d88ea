"""changelog.kept as plain logic: what it keeps, for how long, and what it builds again."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from changelog import kept as keeping


@pytest.fixture(autouse=True)
def empty():
    cache.clear()
    keeping._HERE.clear()
    yield
    keeping._HERE.clear()


class Builds:
    """A builder that notes what it was asked to build."""

    def __init__(self):
        self.asked: list = []

    def one(self, item):
        return lambda: self.asked.append(item) or f"value {item}"

    def many(self, items):
        self.asked.append(sorted(items))
        return {item: f"value {item}" for item in items}


def test_kept_here_holds_the_eight_used_last():
    builds = Builds()
    for item in range(8):
        keeping.kept_here(("test", item), builds.one(item))
    keeping.kept_here(("test", 0), builds.one(0))  # used again: now the newest
    keeping.kept_here(("test", 8), builds.one(8))  # a ninth: the least recently used goes
    assert builds.asked == list(range(9))
    for item in (0, *range(2, 9)):
        assert keeping.kept_here(("test", item), builds.one(item)) == f"value {item}"
    assert builds.asked == list(range(9))  # all eight still kept
    keeping.kept_here(("test", 1), builds.one(1))
    assert builds.asked == [*range(9), 1]  # 1 had gone


def test_kept_many_builds_only_what_is_not_kept_and_keeps_it():
    builds = Builds()
    keys = {item: f"test-kept-many-{item}" for item in ("a", "b")}
    assert keeping.kept_many(keys, builds.many) == {"a": "value a", "b": "value b"}
    assert keeping.kept_many(keys, builds.many) == {"a": "value a", "b": "value b"}
    more = {**keys, "c": "test-kept-many-c"}
    assert keeping.kept_many(more, builds.many)["c"] == "value c"
    assert builds.asked == [["a", "b"], ["c"]]
    assert keeping.kept_many({}, builds.many) == {}
    assert builds.asked == [["a", "b"], ["c"]]


def test_kept_many_keeps_what_stored_makes_of_a_value():
    builds = Builds()
    keys = {"a": "test-kept-stored-a"}
    keeping.kept_many(keys, builds.many, stored=str.upper)
    assert cache.get("test-kept-stored-a") == "VALUE A"


def test_what_is_kept_is_let_go_once_unread_for_the_timeout(cache_clock):
    """Kept values can never be stale (their keys hold the version): the timeout only
    bounds memory — ``VERSIONED_CACHE_TIMEOUT``, not forever, not the cache's default."""
    builds = Builds()
    keeping.kept("test-kept-one", builds.one("one"))
    keeping.kept_many({"a": "test-kept-a"}, builds.many)
    cache_clock[0] = keeping.TIMEOUT - 60
    assert keeping.kept("test-kept-one", builds.one("one")) == "value one"
    assert keeping.kept_many({"a": "test-kept-a"}, builds.many) == {"a": "value a"}
    assert builds.asked == ["one", ["a"]]  # both still kept
    cache_clock[0] = 2 * keeping.TIMEOUT
    keeping.kept("test-kept-one", builds.one("one"))
    keeping.kept_many({"a": "test-kept-a"}, builds.many)
    assert builds.asked == ["one", ["a"], "one", ["a"]]  # both let go, built again


def test_keys_and_etags_are_the_same_in_every_process_and_release(settings, rf):
    """Every worker, and the next release during a rolling deploy, must find what another
    kept and honour the ETags it gave: keys and ETags depend on what they name only.
    Pinned to values, so a change of the recipe (every kept page built again, every
    client's copy downloaded again) is made on purpose, here."""
    import datetime

    from django.contrib.auth.models import AnonymousUser, User
    from django.utils import translation

    from changelog.stamp import Stamp

    settings.SECRET_KEY = "a-fixed-secret-for-this-test-only-0123456789-abcdefghijklmnop"
    assert keeping.key("test", 41, "a", 1) == "test:41:" + PINNED["key"]
    version = Stamp(41, datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.UTC))
    request = rf.get("/consortia/sern/?stage=final")

    def etag(user=None, **facts) -> str:
        if user is not None:
            request.user = user
        with translation.override("en"):
            return keeping.etag("page", request, version, *facts.values())

    before_authentication = etag()  # e.g. an error page answered before the middleware
    assert before_authentication == PINNED["no user"]
    assert etag(AnonymousUser()) == before_authentication  # the same reader: nobody
    assert etag(User(pk=7)) == PINNED["user 7"]
    assert etag(User(pk=7), stage="final") == PINNED["user 7, a fact"]
    assert len(etag(User(pk=7))) == 32


PINNED = {
    "key": "391d545b6971354e834fd411e6fbe505",
    "no user": "08d42585db8ebd50854237d35f02be73",
    "user 7": "e00f429fc0bfc715f02b44230568bc5e",
    "user 7, a fact": "fdd36cad5a2a6640a3f3546169ff1539",
}
