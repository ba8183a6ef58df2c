"""``extends``: a scenario that overrides another, merged node by node.

A child scenario names its parent with ``extends: parent.yaml`` (relative to the
child's own file). The parent is resolved first (it may extend another), then the
child is deep-merged over it:

* mappings merge key by key;
* lists of mappings whose items carry an ``id`` (zones, housing projects,
  facilities, parks) are matched by id: a child item with a known id is merged
  into the parent's item, a new id is appended, and ``{id: x, remove: true}``
  removes the parent's item;
* any other value, lists included, is replaced whole.

Every merged node keeps the file and line where it was written, so an error
points into the child where the child wrote the value and into the parent
otherwise.

A parent is a ``.yaml`` or ``.yml`` file, a chain of parents is at most
:data:`MAX_EXTENDS` files long, and a file none of whose keys is a scenario key
is refused as "not a scenario" without echoing what it holds.
"""

from __future__ import annotations

import os
from typing import Any

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.files import read_text
from sim.scenario.model import Scenario
from sim.scenario.yamlio import Node, read_tree

MAX_EXTENDS = 16
"""Most files in a chain of ``extends``: a scenario and up to 15 ancestors."""
SUFFIXES = (".yaml", ".yml")


def read_file(path: str) -> Node:
    """Read one scenario file into a :class:`Node` tree (no ``extends`` applied).

    Raises
    ------
    ScenarioError
        When the file cannot be read or is not valid scenario YAML.
    """
    return read_tree(read_text(path), path)


def check_is_scenario(root: Node, path: str) -> None:
    """Refuse a mapping none of whose keys is a scenario key, naming none of them."""
    if root.value and not any(str(k) in Scenario.model_fields for k in root.value):
        raise ScenarioError([Problem(path, None, "", (
            "not a scenario: none of its keys is a scenario key (name, horizon, zones, demography, …)"
        ))])


def resolve_file(path: str) -> Node:
    """Read a scenario file and everything it ``extends``, merged into one tree.

    Parameters
    ----------
    path
        The scenario file, as the user named it; problems name files the same way
        (a parent's name is joined to the directory of the file that extends it).

    Returns
    -------
    Node
        The merged tree.

    Raises
    ------
    ScenarioError
        On any unreadable file, a missing parent, a cycle of ``extends`` or a
        removal of an item the parent does not have.
    """
    root = read_file(path)
    check_is_scenario(root, path)
    return _resolve(root, path, [])


def resolve_tree(root: Node, path: str, chain: list[str]) -> Node:
    """Merge ``root`` (read from ``path``) over the parents it extends.

    ``chain`` lists the files (as given) already on the way down, used to report
    a cycle; callers start with an empty list.
    """
    return _resolve(root, path, chain)


def _resolve(root: Node, path: str, chain: list[str]) -> Node:
    chain = [*chain, path]
    ext = root.value.get("extends")
    if ext is None or ext.value is None:
        return root
    if not isinstance(ext.value, str) or not ext.value.strip():
        raise ScenarioError(
            [Problem(ext.file, ext.line, "extends", "must be the name of a scenario file")]
        )
    if not ext.value.lower().endswith(SUFFIXES):
        raise ScenarioError([Problem(ext.file, ext.line, "extends", (
            f"must name a scenario file ending in .yaml or .yml, got {ext.value[:80]!r}"
        ))])
    if len(chain) >= MAX_EXTENDS:
        shown = " -> ".join([*chain[:2], "…", chain[-1]])
        raise ScenarioError([Problem(ext.file, ext.line, "extends", (
            f"the chain of parent files is longer than {MAX_EXTENDS} ({shown} -> …)"
        ))])
    parent_path = os.path.normpath(os.path.join(os.path.dirname(path), ext.value))
    seen = [os.path.realpath(p) for p in chain]
    if os.path.realpath(parent_path) in seen:
        loop = " -> ".join([*chain, parent_path])
        raise ScenarioError([Problem(ext.file, ext.line, "extends", f"forms a cycle: {loop}")])
    if not os.path.exists(parent_path):
        raise ScenarioError(
            [Problem(ext.file, ext.line, "extends", f"parent file not found: {parent_path}")]
        )
    parent_root = read_file(parent_path)
    check_is_scenario(parent_root, parent_path)
    parent = _resolve(parent_root, parent_path, chain)
    problems: list[Problem] = []
    merged = merge_nodes(parent, root, "", problems)
    if problems:
        raise ScenarioError(problems)
    return merged


def _is_id_list(items: list[Node]) -> bool:
    return all(isinstance(i.value, dict) and "id" in i.value for i in items)


def _removes(item: Node) -> bool:
    flag = item.value.get("remove")
    return flag is not None and flag.value is True


def merge_nodes(parent: Node, child: Node, path: str, problems: list[Problem]) -> Node:
    """Deep-merge ``child`` over ``parent`` (see the module docstring for the rules).

    ``path`` is the key path so far (for problems); removal problems are appended
    to ``problems``. Neither input is modified.
    """
    if isinstance(parent.value, dict) and isinstance(child.value, dict):
        merged = dict(parent.value)
        for key, value in child.value.items():
            if key in parent.value:
                sub = f"{path}.{key}" if path else str(key)
                value = merge_nodes(parent.value[key], value, sub, problems)
            merged[key] = value
        return Node(merged, child.file, child.line)
    if (
        isinstance(parent.value, list)
        and isinstance(child.value, list)
        and child.value
        and _is_id_list(child.value)
        and _is_id_list(parent.value)
    ):
        return Node(_merge_by_id(parent.value, child.value, path, problems), child.file, child.line)
    return child


def _merge_by_id(
    parent: list[Node], child: list[Node], path: str, problems: list[Problem]
) -> list[Node]:
    items: list[Node | None] = list(parent)
    index: dict[Any, int] = {_id(item): i for i, item in enumerate(parent)}
    for item in child:
        key = _id(item)
        where = f"{path}[{key}]"
        if _removes(item):
            if key in index:
                items[index.pop(key)] = None
            else:
                problems.append(
                    Problem(
                        item.file,
                        item.line,
                        where,
                        f"cannot remove '{key}': no such item to remove",
                    )
                )
        elif key in index:
            current = items[index[key]]
            assert current is not None  # removed ids leave the index
            items[index[key]] = merge_nodes(current, item, where, problems)
        else:
            index[key] = len(items)
            items.append(item)
    return [item for item in items if item is not None]


def _id(item: Node) -> Any:
    value = item.value["id"].value
    return value if isinstance(value, str | int | float | bool) else repr(value)
