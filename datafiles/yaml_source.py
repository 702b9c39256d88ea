"""A data file read as YAML that remembers where each value stands, to point at a problem.

``read_document(text)`` returns a :class:`YamlDocument`: the data (plain dicts, lists,
strings, numbers, dates, as ``yaml.safe_load`` gives them) and, for any mapping or list
in it, the line and column of the mapping itself, of each key and of each value. A key
written twice in one mapping is refused here, with both lines (``safe_load`` would keep
the last one silently).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


@dataclass(frozen=True)
class Place:
    """A place in the file, counted from 1 as editors count."""

    line: int
    column: int

    @classmethod
    def of(cls, node: Node) -> Place:
        return cls(node.start_mark.line + 1, node.start_mark.column + 1)


class DuplicateKey(yaml.YAMLError):
    def __init__(self, key: str, first: Place, again: Place) -> None:
        super().__init__(
            _("key %(key)s appears twice (lines %(first)s and %(again)s)")
            % {"key": repr(key), "first": first.line, "again": again.line}
        )
        self.key, self.first, self.again = key, first, again


class _MarkingLoader(yaml.SafeLoader):
    """Keeps, for every mapping and list it builds, the node it was built from."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.nodes: dict[int, tuple[Any, Node]] = {}

    def construct_object(self, node, deep=False):
        data = super().construct_object(node, deep)
        if isinstance(node, MappingNode | SequenceNode):
            self.nodes[id(data)] = (data, node)  # the data is kept so its id stays its own
        return data

    def construct_mapping(self, node, deep=False):
        seen: dict[str, Place] = {}
        for key_node, _value_node in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value in seen:
                    raise DuplicateKey(key_node.value, seen[key_node.value], Place.of(key_node))
                seen[key_node.value] = Place.of(key_node)
        return super().construct_mapping(node, deep)


class YamlDocument:
    def __init__(self, data: Any, nodes: dict[int, tuple[Any, Node]]) -> None:
        self.data = data
        self._nodes = nodes

    def _node(self, container: Any) -> Node | None:
        found = self._nodes.get(id(container))
        return found[1] if found and found[0] is container else None

    def _pair(self, container: Any, key: Any) -> tuple[Node, Node] | None:
        node = self._node(container)
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == str(key):
                    return key_node, value_node
        return None

    def place(self, container: Any, key: Any = None) -> Place | None:
        """Where ``container[key]`` stands (or the container, without a key)."""
        node = self._node(container)
        if node is None:
            return None
        if key is None:
            return Place.of(node)
        if isinstance(node, SequenceNode) and isinstance(key, int) and key < len(node.value):
            return Place.of(node.value[key])
        pair = self._pair(container, key)
        return Place.of(pair[1]) if pair else Place.of(node)

    def key_place(self, container: Any, key: Any) -> Place | None:
        """Where the key itself is written (for a key that should not be there)."""
        pair = self._pair(container, key)
        return Place.of(pair[0]) if pair else self.place(container)


def read_document(text: str) -> YamlDocument:
    """Parse ``text``; raises ``yaml.YAMLError`` (with its ``problem_mark``) or
    :class:`DuplicateKey`."""
    loader = _MarkingLoader(text)
    try:
        data = loader.get_single_data()
        return YamlDocument(data, loader.nodes)
    finally:
        loader.dispose()


def did_you_mean(wrong: Any, choices: Iterable[Any]) -> str:
    """' Did you mean "x"?' for the closest of ``choices`` to ``wrong``, or ''."""
    names = [str(choice) for choice in choices]
    close = difflib.get_close_matches(str(wrong), names, n=1, cutoff=0.6)
    if not close:
        lowered = {name.lower(): name for name in names}
        close = [lowered[str(wrong).lower()]] if str(wrong).lower() in lowered else []
    return " " + _("Did you mean %(name)s?") % {"name": repr(close[0])} if close else ""
