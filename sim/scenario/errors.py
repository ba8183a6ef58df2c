"""Problems found in a scenario, and the one exception that carries them.

Every problem names the file and line where the offending value was written, the
key path inside the scenario (list items named by their ``id`` where they have
one) and a plain-words message. One problem prints as one line::

    scenarios/x.yaml:42: housing[longcheng_gongguan].phases[0].units: must be >= 0, got -5

A problem found in a scenario that came from no file (a sweep's edit of a
loaded scenario) prints without the file and line.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Loc = tuple[str | int, ...]
"""A key path as a tuple of mapping keys and list indices, as pydantic reports it."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario.

    Attributes
    ----------
    file
        The file the offending value was written in, as the user named it; ``None``
        for a scenario that came from no file.
    line
        1-based line in ``file``; ``None`` when unknown.
    path
        Key path such as ``facilities[liaohe_kg_1].opens``; empty for problems
        that concern the file as a whole (a YAML syntax error).
    message
        What is wrong, in plain words.
    """

    file: str | None
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        what = f"{self.path}: " if self.path else ""
        return " ".join(f"{where}{what}{self.message}".splitlines())  # always one line


MAX_SHOWN_PROBLEMS = 25
"""Problems printed at most; the rest are counted in a last line ("… and 12 more problems")."""


class ScenarioError(Exception):
    """A scenario could not be loaded or edited; ``problems`` lists the reasons.

    ``more`` counts further problems found but not kept (reading a file keeps a
    bounded number).
    """

    def __init__(self, problems: Iterable[Problem], more: int = 0) -> None:
        self.problems: list[Problem] = list(problems)
        self.more = more
        super().__init__("\n".join(self.lines()))

    def lines(self, limit: int = MAX_SHOWN_PROBLEMS) -> list[str]:
        """Return the problems, one line each, in the order they were found: at most
        ``limit`` of them, then a line saying how many more there are."""
        shown = [str(p) for p in self.problems[:limit]]
        rest = len(self.problems) - len(shown) + self.more
        if rest > 0:
            shown.append(f"… and {rest:,} more problem{'s' if rest != 1 else ''}")
        return shown


def render_value(value: Any, limit: int = 60) -> str:
    """Show a value the way a planner wrote it: ``'soon'``, ``-5``, ``2021-09-01``."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif value is None:
        text = "null"
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, Mapping):
        text = "a mapping"
    elif isinstance(value, Sequence | set):
        text = "a list"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _item_label(items: Sequence[Any], index: int) -> str:
    """Name a list item by its id when that id is a unique string, else by index."""
    item = items[index]
    item_id = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
    if isinstance(item_id, str) and item_id:
        same = 0
        for other in items:
            other_id = other.get("id") if isinstance(other, Mapping) else getattr(other, "id", None)
            same += other_id == item_id
        if same == 1:
            return item_id
    return str(index)


def format_path(loc: Loc, data: Any) -> str:
    """Render a key path, naming list items by id: ``housing[x].phases[0].units``.

    Parameters
    ----------
    loc
        Mapping keys and list indices from the scenario's root.
    data
        The plain scenario data the path walks through (used to look up ids).

    Returns
    -------
    str
        The dotted path; ``scenario`` for the root itself.
    """
    parts: list[str] = []
    current: Any = data
    for elem in loc:
        if isinstance(elem, int) and isinstance(current, Sequence) and not isinstance(current, str):
            if 0 <= elem < len(current):
                parts.append(f"[{_item_label(current, elem)}]")
                current = current[elem]
            else:
                parts.append(f"[{elem}]")
                current = None
            continue
        key = elem.value if isinstance(elem, enum.Enum) else elem
        parts.append(f".{key}" if parts else str(key))
        current = lookup_key(current, elem) if isinstance(current, Mapping) else None
    text = "".join(parts)
    return text.lstrip(".") or "scenario"


def lookup_key(mapping: Mapping[Any, Any], key: Any) -> Any:
    """Return ``mapping[key]``, matching enum and int keys by their text; ``None`` if absent."""
    if key in mapping:
        return mapping[key]
    for k, v in mapping.items():
        if _key_text(k) == _key_text(key):
            return v
    return None


def _key_text(key: Any) -> str:
    return str(key.value) if isinstance(key, enum.Enum) else str(key)
