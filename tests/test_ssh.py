"""``passport-ssh STAFF``, the forced command of a teacher's key (issue 11), run as sshd runs it:
a subprocess with ``SSH_ORIGINAL_COMMAND`` set to what the teacher typed after the host name.

The school is the small one with staff ``head`` (admin) and ``ms.hughes`` (teacher of 1H); the
database is ``tmp/data/school.db``, so her folder is ``tmp/data/reports/ms.hughes/``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import DATA, fixed_clock, small_school

SCRIPT = Path(sys.executable).parent / "passport-ssh"


@dataclass
class Server:
    db: Path
    home: Path  # the working folder sshd starts the command in (the account's home)

    def ssh(
        self, command: str | None, staff: str = "ms.hughes", stdin: bytes = b""
    ) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if k != "PASSPORT_DB"}
        env.pop("SSH_ORIGINAL_COMMAND", None)
        if command is not None:
            env["SSH_ORIGINAL_COMMAND"] = command
        return subprocess.run(
            [str(SCRIPT), "--db", str(self.db), staff],
            input=stdin,
            capture_output=True,
            env=env,
            cwd=self.home,
            timeout=60,
        )

    def folder(self, staff: str = "ms.hughes") -> Path:
        return self.db.parent / "reports" / staff


@pytest.fixture
def here(server: Server, capfd, monkeypatch):
    """``here(command, staff)``: passport-ssh run in this process (fast, for the many cases):
    (exit status, stdout, stderr lines)."""
    from passport_tui.cli import ssh

    monkeypatch.chdir(server.home)  # passport-ssh moves into the folder; this moves back after
    monkeypatch.delenv("PASSPORT_DB", raising=False)
    capfd.readouterr()

    def run(command: str | None, staff: str = "ms.hughes") -> tuple[int, str, list[str]]:
        code = ssh.run(["--db", str(server.db), staff], command)
        out, errors = capfd.readouterr()
        return code, out, errors.strip().splitlines()

    return run


def refused_here(outcome: tuple[int, str, list[str]], *words: str, code: int = 1) -> str:
    status, _, lines = outcome
    assert status == code, (status, lines)
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def err(result: subprocess.CompletedProcess) -> list[str]:
    return result.stderr.decode().strip().splitlines()


def refused(result: subprocess.CompletedProcess, *words: str, code: int = 1) -> str:
    lines = err(result)
    assert result.returncode == code, (result.returncode, lines)
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def server(tmp_path: Path) -> Server:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    svc = small_school(data / "school.db")
    svc.add_staff("head", "Mrs Head", "admin")
    svc.user = "head"
    svc.add_staff("ms.hughes", "Ms Hughes", "teacher", ["1H"])
    svc.close()
    home = tmp_path / "home"
    home.mkdir()
    (home / "secret-file.txt").write_text("in the account's home")
    return Server(data / "school.db", home)


def test_the_script_is_installed():
    assert SCRIPT.is_file(), "pyproject's [project.scripts] names passport-ssh"


# --- as sshd runs it: a subprocess ------------------------------------------------------------


def test_quoted_words_stay_one_argument(server: Server):
    result = server.ssh('judge A1 1N-1 achieved --note "two words"')
    assert result.returncode == 0, err(result)
    with Service(Store.open(server.db), user="head", clock=fixed_clock) as svc:
        (event,) = svc.history("A1")
    assert event.note == "two words" and event.by == "ms.hughes"


def test_a_star_is_not_globbed(server: Server):
    line = refused(server.ssh("show *"), "'*'")
    assert "secret-file" not in line


@pytest.mark.parametrize("words", ["--db x pupils list", "--as head staff list"])
def test_db_and_as_are_refused(server: Server, words: str):
    refused(server.ssh(words), "not allowed", "ms.hughes")


def test_a_report_outside_her_folder_is_refused(server: Server):
    refused(server.ssh("report A1 -o ../../x"), "plain", "your folder")
    assert not (server.db.parent.parent / "x").exists() and not (server.db.parent / "x").exists()


def test_its_own_arguments_and_a_missing_database(server: Server, tmp_path: Path):
    result = subprocess.run([str(SCRIPT)], capture_output=True, timeout=60)
    assert result.returncode == 2 and b"usage: passport-ssh" in result.stderr
    result = subprocess.run(
        [str(SCRIPT), "--db", str(tmp_path / "nowhere" / "school.db"), "ms.hughes"],
        env={**os.environ, "SSH_ORIGINAL_COMMAND": "pupils list"},
        capture_output=True,
        timeout=60,
    )
    refused(result, "no database")
    assert not (tmp_path / "nowhere").exists()  # never created: it would have no staff


@pytest.mark.slow
def test_standard_input_and_output(server: Server):
    """``ssh passport@server report A1 > ann.html``; ``… curriculum import - < maths.toml``."""
    for command in ("report A1", "report A1 -o -"):
        result = server.ssh(command)
        assert result.returncode == 0 and result.stdout.startswith(b"<!DOCTYPE html>"), err(result)
    toml = (DATA / "maths.toml").read_bytes().replace(b'version = "1"', b'version = "2"')
    result = server.ssh("curriculum import -", staff="head", stdin=toml)
    assert result.returncode == 0 and b"Imported maths 2" in result.stdout, err(result)
    assert list(server.folder("head").iterdir()) == []  # the spooled copy is gone


# --- the many cases, in this process -----------------------------------------------------------


def test_quotes_nest_as_in_a_shell_and_nothing_expands(server: Server, here):
    assert here("comment A1 'It'\"'\"'s going well'")[0] == 0
    with closing(sqlite3.connect(server.db)) as conn:
        (text,) = conn.execute("SELECT text FROM notes ORDER BY id DESC LIMIT 1").fetchone()
    assert text == "It's going well"
    for command in ("show $(id)", "show `id`", "show A1; id", "show A1 && id", "show $HOME", "show ~"):
        code, out, lines = here(command)
        assert code != 0, command
        assert "uid=" not in out + "".join(lines) and str(server.home) not in "".join(lines), (command, lines)


def test_an_open_quote_is_one_line(here):
    refused_here(here('judge A1 1N-1 achieved --note "two words'), "quote", code=2)


@pytest.mark.parametrize("words", ["pupils list --as=head", "--db=/tmp/x.db", "report A1 -- --as head"])
def test_db_and_as_are_refused_anywhere(here, words: str):
    refused_here(here(words), "not allowed", "ms.hughes")


@pytest.mark.parametrize(
    "path",
    ["../../x.html", "/tmp/x.html", "../school.db", "sub/x.html", ".hidden", "..", "~/x.html", "a\x00b"],
)
def test_a_path_outside_her_folder_is_refused(server: Server, here, path: str):
    refused_here(here(f"report A1 -o {path}"), "your folder")
    assert not (server.db.parent / "x.html").exists() and not Path("/tmp/x.html").exists()
    assert list(server.folder().iterdir()) == []


def test_attacks_on_the_servers_own_files(server: Server, here, tmp_path: Path):
    """A report written onto the database, a backup, authorized_keys, into the venv (a .pth
    file): refused whoever's key it is, an admin's included."""
    ssh_dir = server.home / ".ssh"
    ssh_dir.mkdir(mode=0o700)
    keys = ssh_dir / "authorized_keys"
    keys.write_text("command=... ssh-ed25519 AAAA\n")
    backup = server.db.parent / "backup.db"
    Service(Store.open(server.db), user="head").backup(backup)
    site = tmp_path / "venv" / "lib" / "python3.13" / "site-packages"
    site.mkdir(parents=True)
    before = {p: p.read_bytes() for p in (server.db, backup, keys)}
    for staff in ("ms.hughes", "head"):
        for target in (server.db, backup, keys, site / "evil.pth", f"{server.db}-wal"):
            refused_here(here(f"report A1 -o {target} --force", staff), "plain")
            refused_here(here(f"export tracking -o {target} --force", staff), "plain")
        refused_here(here(f"transfer export A1 -o {keys} --force", staff), "plain")
    refused_here(here(f"backup {backup} --force", "head"), "plain")
    refused_here(here(f"curriculum export maths -o {keys} --force", "head"), "plain")
    refused_here(here(f"restore {backup} --yes", "head"), "plain")
    assert {p: p.read_bytes() for p in before} == before and list(site.iterdir()) == []


def test_inputs_come_from_her_folder_only(server: Server, here):
    refused_here(here("curriculum import /etc/passwd", "head"), "plain")
    refused_here(here(f"curriculum import ../../{server.db.name}", "head"), "plain")
    refused_here(here("pupils import ../school.db", "head"), "plain")
    shutil.copy(DATA / "maths.toml", server.folder("head") / "maths.toml")
    code, out, lines = here("curriculum check maths.toml", "head")
    assert code == 0 and "maths.toml: ok" in out, lines


def test_a_symbolic_link_in_her_folder_is_refused(server: Server, here, tmp_path: Path):
    folder = server.folder()
    folder.mkdir(parents=True)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (folder / "ann.html").symlink_to(victim)
    refused_here(here("report A1 -o ann.html --force"), "symbolic link")
    refused_here(here("test import ann.html"), "symbolic link")  # read through a link: refused too
    assert victim.read_text() == "precious"
    (folder / "ann.html").unlink()
    folder.rmdir()
    folder.symlink_to(server.home)  # her folder itself a link
    refused_here(here("report A1 -o ann.html"), "symbolic link")
    assert sorted(p.name for p in server.home.iterdir()) == ["secret-file.txt"]


def test_files_go_to_her_folder_new_and_owner_only(server: Server, here):
    assert here("report A1 -o ann.html")[0] == 0
    written = server.folder() / "ann.html"
    assert written.read_text().startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE(server.folder().stat().st_mode) == 0o700
    refused_here(here("report A1 -o ann.html"), "exists", "--force")
    assert here("report A1 -o ann.html --force")[0] == 0
    code, out, _ = here("export tracking -o -")
    assert code == 0 and "A1" in out
    assert here("backup nightly.db", "head")[0] == 0  # an admin's backup: in the admin's folder
    refused_here(here("backup -", "head"), "'-' is not taken here")
    assert (server.folder("head") / "nightly.db").read_bytes().startswith(b"SQLite format 3\x00")


def test_an_unknown_staff_member_or_a_bad_name_is_refused(here):
    refused_here(here("pupils list", "stranger"), "not a member of staff")
    refused_here(here("pupils list", "../../x"), "can't name a folder")


def test_no_command_opens_the_app_as_the_staff_member(server: Server, here, monkeypatch):
    """The app replaced by a note of how it was opened."""
    from passport_tui import cli as cli_package
    from passport_tui.cli.context import service

    opened = []
    monkeypatch.setattr(cli_package, "open_app", lambda ctx: opened.append(service(ctx)))
    assert here(None)[0] == 0 and here("  ")[0] == 0
    assert [(s.user, s.confined) for s in opened] == [("ms.hughes", True)] * 2


def test_every_file_parameter_is_a_path_so_it_is_confined():
    """passport-ssh confines the parameters of type click.Path: a file parameter of another
    type would slip through."""
    import click

    from passport_tui.cli import cli
    from passport_tui.cli.ssh import InFolder, each_command

    names = {"output", "file", "files", "path", "dest", "src", "folder"}
    for command in each_command(cli):
        for param in command.params:
            if param.name in names:
                assert isinstance(param.type, click.Path | InFolder), (command.name, param.name)
