"""Where the files shipped with the package are.

In a wheel, ``styles/`` and ``sample_curricula/`` sit inside the package (pyproject force-includes
them); in a source checkout or an editable install they are at the top of the repository.
"""

from __future__ import annotations

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
