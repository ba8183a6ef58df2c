"""Reading scenario YAML safely into trees that remember where each value was written.

This is the only module that imports :mod:`yaml`. Files are parsed with a loader
derived from :class:`yaml.SafeLoader`: plain YAML data only, no Python object
tags, nothing executed. Each mapping value and each sequence item becomes a
:class:`Node` carrying the file and 1-based line of its key (or of the item),
so that an error found later at any key path can be reported at the line where
the value was written, even after ``extends`` merged several files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from sim.scenario.errors import Loc, Problem, ScenarioError, format_path, render_value

_STD = "tag:yaml.org,2002:"
_MAP_TAG = _STD + "map"
_SEQ_TAG = _STD + "seq"
MAX_VALUES = 50_000
"""Most values a file may hold, each use of an alias counted as a copy (the base
scenario holds under 3,000, so 50,000 is ample): reading stops there, so a file of any size or an
alias bomb ("billion laughs") is refused in one line and in bounded time."""
MAX_KEPT_PROBLEMS = 100
"""Problems kept while reading one file; the rest are counted."""


class _TooManyValues(Exception):
    """Raised as soon as a file is seen to hold more than :data:`MAX_VALUES` values."""


@dataclass
class Node:
    """A value read from a file, with where it was written.

    ``value`` is a ``dict`` of :class:`Node` (a mapping), a ``list`` of
    :class:`Node` (a sequence) or a plain scalar.
    """

    value: Any
    file: str
    line: int

    def plain(self) -> Any:
        """Return the value with every :class:`Node` replaced by its plain value."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value

    def locate(self, loc: Loc) -> Node:
        """Return the deepest node along ``loc`` (the node itself if none matches)."""
        node = self
        for elem in loc:
            child: Node | None = None
            if isinstance(node.value, dict):
                child = node.value.get(elem)
                if child is None:
                    child = next((v for k, v in node.value.items() if str(k) == str(elem)), None)
            elif (
                isinstance(node.value, list)
                and isinstance(elem, int)
                and 0 <= elem < len(node.value)
            ):
                child = node.value[elem]
            if child is None:
                break
            node = child
        return node


class LineLoader(yaml.SafeLoader):
    """A :class:`yaml.SafeLoader` that builds :class:`Node` trees with line numbers.

    Unknown tags (``!!python/object/apply:…`` and the like) are reported as
    problems, never constructed. Duplicate keys are problems too (plain YAML
    would silently keep the last one).
    """

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text)
        self.file = file
        self.problems: list[Problem] = []
        self._pending: list[tuple[int, Loc, str]] = []
        self._open: set[int] = set()
        self._count = 0
        self._composed = 0
        self.more_problems = 0

    def construct_lenient_timestamp(self, node: ScalarNode) -> Any:
        """Build a date, keeping an impossible one (``2021-02-30``) as text for validation."""
        try:
            return self.construct_yaml_timestamp(node)
        except ValueError:
            return str(node.value)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Compose as PyYAML does, counting values so that a huge file stops early."""
        self._composed += 1
        if self._composed > MAX_VALUES:
            raise _TooManyValues
        return super().compose_node(parent, index)

    def flatten_mapping(self, node: MappingNode) -> None:
        """Resolve merge keys (``<<``), refusing merges that multiply beyond the limit."""
        super().flatten_mapping(node)
        if len(node.value) > MAX_VALUES:
            raise _TooManyValues

    def read(self) -> Node | None:
        """Parse the single document into a :class:`Node` tree; ``None`` if it is empty."""
        root = self.get_single_node()
        if root is None:
            return None
        tree = self._build(root, (), root.start_mark.line + 1)
        plain = tree.plain()
        self.problems = [
            Problem(self.file, ln, format_path(loc, plain), msg) for ln, loc, msg in self._pending
        ]
        return tree

    def _problem(self, line: int, loc: Loc, message: str) -> None:
        if len(self._pending) < MAX_KEPT_PROBLEMS:
            self._pending.append((line, loc, message))
        else:
            self.more_problems += 1

    def _build(self, node: yaml.Node, loc: Loc, line: int) -> Node:
        self._count += 1
        if self._count > MAX_VALUES:
            raise _TooManyValues
        if id(node) in self._open:
            self._problem(line, loc, "too many or recursive aliases")
            return Node(None, self.file, line)
        self._open.add(id(node))
        try:
            return self._build_any(node, loc, line)
        finally:
            self._open.discard(id(node))

    def _build_any(self, node: yaml.Node, loc: Loc, line: int) -> Node:
        if node.tag not in (_MAP_TAG, _SEQ_TAG) and (
            node.tag is None
            or node.tag not in self.yaml_constructors
            or not isinstance(node, ScalarNode)
        ):
            tag = node.tag.replace(_STD, "!!") if node.tag else "?"
            self._problem(
                line, loc, f"unsupported YAML tag '{tag}' (only plain YAML data is allowed)"
            )
            return Node(None, self.file, line)
        if isinstance(node, MappingNode):
            return self._build_mapping(node, loc, line)
        if isinstance(node, SequenceNode):
            items = [
                self._build(item, (*loc, i), item.start_mark.line + 1)
                for i, item in enumerate(node.value)
            ]
            return Node(items, self.file, line)
        try:
            return Node(self.construct_object(node, deep=True), self.file, line)
        except (yaml.YAMLError, ValueError, TypeError) as exc:
            self._problem(line, loc, f"cannot read value {render_value(node.value)}: {exc}")
            return Node(None, self.file, line)

    def _build_mapping(self, node: MappingNode, loc: Loc, line: int) -> Node:
        self.flatten_mapping(node)  # resolves YAML merge keys (<<)
        result: dict[Any, Node] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            before = len(self._pending)
            key = self._build(key_node, loc, key_line).value
            if not isinstance(key, str | int | float | bool | dt.date):
                if len(self._pending) == before:
                    self._problem(key_line, loc, "keys must be plain names or numbers")
                continue
            step = key if isinstance(key, str | int) else str(key)
            if key in result:
                self._problem(key_line, (*loc, step), f"duplicate key '{key}'")
                continue
            result[key] = self._build(value_node, (*loc, step), key_line)
        return Node(result, self.file, line)


LineLoader.add_constructor(_STD + "timestamp", LineLoader.construct_lenient_timestamp)


def read_tree(text: str, file: str) -> Node:
    """Parse scenario text into a :class:`Node` tree.

    Parameters
    ----------
    text
        The YAML text.
    file
        The file name to report in problems, as the user gave it.

    Returns
    -------
    Node
        The root mapping.

    Raises
    ------
    ScenarioError
        On a YAML syntax error, an unsupported tag, a duplicate key, an empty file
        or a root that is not a mapping; every problem found is listed.
    """
    loader = LineLoader(text, file)
    try:
        root = loader.read()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        if exc.context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
            what += f" ({' '.join(exc.context.split())} on line {exc.context_mark.line + 1})"
        raise ScenarioError([Problem(file, line, "", f"YAML syntax error: {what}")]) from None
    except RecursionError:
        raise ScenarioError([Problem(file, None, "", "values are nested too deeply")]) from None
    except _TooManyValues:
        raise ScenarioError([Problem(file, None, "", (
            f"holds more than {MAX_VALUES:,} values (each use of an alias counted): "
            "far more than a scenario has"
        ))]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError([Problem(file, None, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    if loader.problems:
        raise ScenarioError(loader.problems, more=loader.more_problems)
    if root is None:
        raise ScenarioError(
            [Problem(file, 1, "", "the file is empty (a scenario is a mapping of keys)")]
        )
    if not isinstance(root.value, dict):
        raise ScenarioError([Problem(file, root.line, "", "a scenario must be a mapping of keys")])
    return root
