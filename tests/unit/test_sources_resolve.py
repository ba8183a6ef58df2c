"""Every citation in a shipped scenario resolves in ``docs/``; nothing points outside the repository.

Shipped scenarios cite their numbers in ``source:`` values and comments as
``facts.md §N [k]`` (section N and source k of ``docs/facts.md``), ``seed §N``
(``docs/seed.md``) and ``docs/model.md §N``. A citation resolves when the section
exists in that document, and each source number ``[k]`` is in ``docs/facts.md``'s
source list and, where a section of facts.md is named before it, is cited in that
section. Bare ``[k]`` lists that follow a ``facts.md §N`` in the same text belong
to that section (``facts.md §5 (… national 0.911, [28])``); continuations such as
``facts.md §1 [12], §5`` name further sections of facts.md.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.yaml"))

_HEADING = re.compile(r"^## (\d+)\. ", re.M)
_SOURCE_ITEM = re.compile(r"^(\d+)\. ", re.M)
_BRACKETS = re.compile(r"(?:\[\d+\])+")
_NUMBER = re.compile(r"\[(\d+)\]")
# A section reference and the bracket list right after it: "§3 [38][39]" or "§5".
_SECTION = r"§\s*(\d+)((?:\s*\[\d+\])*)"
# "facts.md §1 [12], §5 [29]": the first section and its continuations.
_FACTS = re.compile(r"(?<![\w/])(?:docs/)?facts\.md\s+" + _SECTION + r"((?:\s*[,;]\s*" + _SECTION + r")*)")
_CONTINUATION = re.compile(_SECTION)
_SEED = re.compile(r"(?<![\w/])(?:docs/)?seed(?:\.md)?\s+§\s*(\d+)")
_MODEL = re.compile(r"(?<![\w])(?:MODEL|docs/model)\.md\s+§\s*(\d+)")


# --------------------------------------------------------------------- the documents


def sections(path: Path) -> dict[int, str]:
    """Numbered sections ``## N. Title`` of a document: number -> text up to the next ``## ``."""
    text = path.read_text(encoding="utf-8")
    out: dict[int, str] = {}
    for m in _HEADING.finditer(text):
        end = text.find("\n## ", m.end())
        out[int(m.group(1))] = text[m.end() : end if end >= 0 else len(text)]
    return out


def source_list(facts_text: str) -> set[int]:
    """Numbers of the numbered items under ``## Sources`` in facts.md."""
    _, _, tail = facts_text.partition("\n## Sources")
    assert tail, "docs/facts.md has no '## Sources' section"
    return {int(n) for n in _SOURCE_ITEM.findall(tail)}


def cited_in(section_text: str) -> set[int]:
    return {int(n) for n in _NUMBER.findall(section_text)}


@dataclass(frozen=True)
class Docs:
    facts: dict[int, set[int]]  # section -> source numbers cited in it
    sources: set[int]
    seed: set[int]
    model: set[int]


@pytest.fixture(scope="module")
def docs() -> Docs:
    facts_path = DOCS / "facts.md"
    return Docs(
        facts={n: cited_in(text) for n, text in sections(facts_path).items()},
        sources=source_list(facts_path.read_text(encoding="utf-8")),
        seed=set(sections(DOCS / "seed.md")),
        model=set(sections(DOCS / "model.md")),
    )


# --------------------------------------------------------------------- the citations


def _strings(node: object, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{where}.{k}" if where else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{where}[{i}]")


def _comment(line: str) -> str | None:
    """The comment of a YAML line: from the first ``#`` outside quotes that starts a comment."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'" and (i == 0 or line[i - 1] in " \t[{:,"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[i + 1 :].strip()
    return None


def comments(text: str) -> Iterator[tuple[str, str]]:
    """Comments, runs of whole-line comments joined into one text (a citation may wrap)."""
    block: list[str] = []
    start = 0

    def where(first: int, last: int) -> str:
        return f"comment at line {first}" if first == last else f"comments at lines {first}-{last}"

    for no, line in enumerate(text.splitlines(), 1):
        whole = line.lstrip().startswith("#")
        if block and not whole:
            yield where(start, no - 1), " ".join(block)
            block = []
        c = _comment(line)
        if c is None:
            continue
        if whole:
            if not block:
                start = no
            block.append(c)
        else:
            yield where(no, no), c
    if block:
        yield where(start, start + len(block) - 1), " ".join(block)


def fragments(path: Path) -> list[tuple[str, str]]:
    """Every text of a scenario file that may carry a citation: string values and comments."""
    text = path.read_text(encoding="utf-8")
    return [*_strings(yaml.safe_load(text), ""), *comments(text)]


def _last_section(m: re.Match[str]) -> int:
    """The last facts.md section a match names: ``facts.md §2 [35], §5`` -> 5."""
    continued = _CONTINUATION.findall(m.group(3))
    return int(continued[-1][0]) if continued else int(m.group(1))


def problems(where: str, text: str, docs: Docs) -> list[str]:
    """Citations in ``text`` that do not resolve in docs/, as readable messages."""
    out: list[str] = []
    text = " ".join(text.split())
    for n in map(int, _SEED.findall(text)):
        if n not in docs.seed:
            out.append(f"{where}: 'seed §{n}': docs/seed.md has no section {n}")
    for n in map(int, _MODEL.findall(text)):
        if n not in docs.model:
            out.append(f"{where}: 'model.md §{n}': docs/model.md has no section {n}")
    # Each source number cited, with the facts.md section it belongs to (None: none named).
    claims: list[tuple[int | None, int]] = []
    facts = list(_FACTS.finditer(text))
    for m in facts:
        for sm in [m, *_CONTINUATION.finditer(m.group(3))]:
            section = int(sm.group(1))
            if section not in docs.facts:
                out.append(f"{where}: 'facts.md §{section}': docs/facts.md has no section {section}")
            claims += [(section, int(k)) for k in _NUMBER.findall(sm.group(2))]
    for bm in _BRACKETS.finditer(text):
        if any(m.start() <= bm.start() < m.end() for m in facts):
            continue  # already read with its section
        before = [m for m in facts if m.end() <= bm.start()]
        section = _last_section(before[-1]) if before else None
        claims += [(section, int(k)) for k in _NUMBER.findall(bm.group(0))]
    for section, k in claims:
        if k not in docs.sources:
            out.append(f"{where}: '[{k}]': not in the source list of docs/facts.md")
        elif section in docs.facts and k not in docs.facts[section]:
            out.append(f"{where}: 'facts.md §{section} [{k}]': section {section} of docs/facts.md does not cite [{k}]")
    return out


# --------------------------------------------------------------------- the tests


def test_the_docs_have_the_sections_and_sources_citations_rely_on(docs: Docs) -> None:
    # facts.md keeps the reference numbering: sections 1-5, sources 1-46.
    assert set(docs.facts) == {1, 2, 3, 4, 5}
    assert docs.sources == set(range(1, 47))
    assert docs.seed == {1, 2, 3}
    assert docs.model == set(range(1, 9))
    # Every source in the list is cited somewhere in the sections.
    assert set().union(*docs.facts.values()) >= docs.sources


def test_shipped_scenarios_exist() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in SCENARIOS}
    assert "scenarios/liaohe_base.yaml" in names
    assert "scenarios/sweeps/housing_delay_kg_lag.yaml" in names


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_citation_in_a_shipped_scenario_resolves(path: Path, docs: Docs) -> None:
    found = [p for where, text in fragments(path) for p in problems(where, text, docs)]
    assert not found, f"{path.relative_to(ROOT)}:\n" + "\n".join(found)


def test_the_base_scenario_cites_facts_and_seed() -> None:
    # The checks above are only worth something if citations are found at all.
    texts = " ".join(t for _, t in fragments(ROOT / "scenarios" / "liaohe_base.yaml"))
    assert len(_FACTS.findall(texts)) > 50
    assert len(_SEED.findall(texts)) > 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("facts.md §3 [38][39]; units ASSUMPTION", []),
        ("facts.md §1 [12], §5 (per 50,000 residents)", []),
        ("facts.md §5 (0.95 ASSUMPTION; national 0.911, [28]); class size facts.md §1 [5]", []),
        ("seed §2; facts.md §3 [38]", []),
        ("facts.md §6 [1]", ["docs/facts.md has no section 6"]),
        ("facts.md §1 [47]", ["'[47]': not in the source list"]),
        ("facts.md §2 [5]", ["section 2 of docs/facts.md does not cite [5]"]),
        ("facts.md §1 [12], §2 [12]", ["section 2 of docs/facts.md does not cite [12]"]),
        ("facts.md §5 (national 0.911, [36])", ["section 5 of docs/facts.md does not cite [36]"]),
        ("seed §4 (a plan)", ["docs/seed.md has no section 4"]),
        ("docs/model.md §9", ["docs/model.md has no section 9"]),
    ],
)
def test_a_bad_citation_is_caught(text: str, expected: list[str], docs: Docs) -> None:
    found = problems("x", text, docs)
    assert len(found) == len(expected), found
    for message, part in zip(found, expected, strict=True):
        assert part in message


def test_a_citation_wrapped_over_comment_lines_is_read_whole() -> None:
    text = "a: 1   # trailing facts.md §1 [5]\n# first line facts.md §2\n# [18][19] end\nb: '# not a comment'\n"
    assert list(comments(text)) == [
        ("comment at line 1", "trailing facts.md §1 [5]"),
        ("comments at lines 2-3", "first line facts.md §2 [18][19] end"),
    ]


# --------------------------------------------------------------------- standing alone

# Built from parts so that this file does not match itself.
_OUTSIDE = ["../" + "shared", "/work/" + "shared", "MODEL" + ".md", "reference/" + "facts.md"]


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=30
        ).stdout.decode()
    except (OSError, subprocess.SubprocessError):
        pytest.skip("not a git checkout: no list of tracked files")
    return [ROOT / name for name in out.split("\0") if name]


def test_no_tracked_file_points_outside_the_repository() -> None:
    bad = []
    for path in _tracked_files():
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for no, line in enumerate(text.splitlines(), 1):
            bad += [f"{path.relative_to(ROOT)}:{no}: {s}" for s in _OUTSIDE if s in line]
    assert not bad, "files outside the repository are cited:\n" + "\n".join(bad)
