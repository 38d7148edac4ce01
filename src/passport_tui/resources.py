"""Where the files shipped with the package are.

In a wheel, ``styles/`` and ``sample_curricula/`` sit inside the package (pyproject force-includes
them); in a source checkout or an editable install they are at the top of the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    inside = _PACKAGE / name
    if inside.is_dir():
        return inside
    return _PACKAGE.parents[1] / name


def sample_curricula_dir() -> Path:
    """The folder of the sample curricula (TOML files)."""
    return _shipped("sample_curricula")


def styles_dir() -> Path:
    """The folder of the Textual CSS files (``*.tcss``)."""
    return _shipped("styles")


def sample_curriculum_paths() -> list[Path]:
    """Every shipped sample curriculum file, sorted by name."""
    return sorted(sample_curricula_dir().glob("*.toml"))


@dataclass(frozen=True, slots=True)
class ShippedCurriculum:
    """A curriculum shipped with the app: its id (also its file's name), title and file."""

    id: str
    title: str
    path: Path


# the key milestones first (the curricula the app is built around), then the rest by title
_FIRST = ("key-maths", "key-english")


def shipped_curricula() -> list[ShippedCurriculum]:
    """The shipped curricula, key milestones first, then by title. Only each file's
    ``[curriculum]`` table is read (it comes first), so listing them is quick; importing one
    checks the whole file."""
    import tomllib

    found = []
    for path in sample_curriculum_paths():
        text = path.read_text(encoding="utf-8")
        head = text.split("\n[[", 1)[0]
        try:
            header = tomllib.loads(head).get("curriculum", {})
        except tomllib.TOMLDecodeError:
            header = {}
        found.append(
            ShippedCurriculum(str(header.get("id", path.stem)), str(header.get("title", path.stem)), path)
        )
    rank = {cid: n for n, cid in enumerate(_FIRST)}
    return sorted(found, key=lambda c: (rank.get(c.id, len(rank)), c.title.casefold()))


def shipped_curriculum(curriculum_id: str) -> ShippedCurriculum | None:
    """The shipped curriculum with this id (any case), or None."""
    wanted = curriculum_id.strip().casefold()
    return next((c for c in shipped_curricula() if c.id.casefold() == wanted), None)
