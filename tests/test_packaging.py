"""The wheel ships the styles and sample curricula and finds them from inside the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is needed to build the wheel")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([uv, "build", "--wheel", "-q", "-o", str(out), str(REPO)], check=True)
    (path,) = out.glob("*.whl")
    return path


def test_wheel_contains_styles_and_sample_curricula(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for css in ("global.tcss", "grid.tcss", "passport.tcss", "tree.tcss", "start.tcss"):
        assert f"passport_tui/styles/{css}" in names
    assert "passport_tui/sample_curricula/nc-maths.toml" in names
    assert "passport_tui/sample_curricula/nc-english.toml" in names


@pytest.mark.slow
def test_installed_package_finds_its_files_and_builds_the_demo(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import passport_tui.resources as r, sys;"
        "assert str(r.styles_dir()).startswith(sys.argv[1]), r.styles_dir();"
        "names = {p.name for p in r.sample_curriculum_paths()};"
        "assert {'nc-maths.toml', 'nc-english.toml', 'small-steps.toml'} <= names, names;"
        "from passport_tui.cli import main; sys.argv = ['passport', '--db', sys.argv[2], 'demo', '--no-tui']; main()"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(site), str(tmp_path / "demo.db")],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert "Demo school built" in out.stdout


@pytest.mark.slow
def test_a_family_starts_from_the_installed_package(wheel, tmp_path):
    """The README's family path on an installed wheel: a shipped curriculum imported by its id
    (package data, not the source tree), a child added without a UPN, a milestone marked."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site), "PASSPORT_DB": str(tmp_path / "family.db")}

    def passport(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", "from passport_tui.cli import main; main()", *args],
            env=env,
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert out.returncode == 0, (args, out.stderr)
        return out.stdout

    passport("init")
    imported = passport("curriculum", "import", "key-maths")
    assert "shipped with passport" in imported and str(site) in imported
    assert "as P0001" in passport("pupils", "add", "--name", "Zoë Brontë", "--year", "R")
    passport("judge", "p0001", "R-NUM-1", "achieved")
    assert "R-NUM-1" in passport("history", "P0001")
