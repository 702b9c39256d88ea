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
