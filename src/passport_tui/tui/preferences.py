"""What the app keeps for each person between runs: their theme.

Kept in the user's config folder (platformdirs), in ``preferences.json``, under the login the app
runs as, so that staff who share one account (a server's forced SSH command gives each their own
login) keep their own. Not in the database: a theme belongs to the person at the terminal, not to
the school's records; it works on a read-only database and on a copy, and needs no migration. A
file that cannot be read or written is no error: the app starts with its default theme."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import platformdirs

FILE_NAME = "preferences.json"


def config_dir() -> Path:
    return platformdirs.user_config_path("passport")


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def saved_theme(login: str) -> str | None:
    """The theme ``login`` chose last, if any."""
    themes = _read(config_dir() / FILE_NAME).get("themes")
    theme = themes.get(login) if isinstance(themes, dict) else None
    return theme if isinstance(theme, str) else None


def save_theme(login: str, theme: str) -> bool:
    """Keep ``theme`` for ``login`` (written whole, then moved into place); False if the folder
    cannot be written."""
    folder = config_dir()
    path = folder / FILE_NAME
    data = _read(path)
    themes = data.get("themes") if isinstance(data.get("themes"), dict) else {}
    if themes.get(login) == theme:
        return True
    data["themes"] = {**themes, login: theme}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".preferences-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=2, sort_keys=True)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True
