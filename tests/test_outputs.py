"""Files the program writes cannot clobber (issue 11): each rule of ``passport_tui.files``, tried
with real files through the commands that write them — ``report -o``, ``export tracking -o``,
``transfer export -o``, ``curriculum export -o``, ``backup`` — and the app's reports.

The school is the small one (classes 1H and 3K) with staff: ``head`` (admin) and ``ms.hughes``
(teacher of 1H). Each refusal is exit status 1 and one line on stderr, and leaves every file as
it was."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from passport_tui import files
from passport_tui.cli import cli
from passport_tui.errors import NotAllowed, PassportError
from passport_tui.service import Service
from passport_tui.store import Store
from tests.conftest import fixed_clock

# each command that writes a file, with its output path last (the {} is replaced)
WRITERS = {
    "report": ["report", "A1", "-o", "{}"],
    "export tracking": ["export", "tracking", "--class", "1H", "--window", "2026-autumn", "-o", "{}"],
    "transfer export": ["transfer", "export", "A1", "-o", "{}"],
    "curriculum export": ["curriculum", "export", "maths", "-o", "{}"],
    "backup": ["backup", "{}"],
}
PLAIN = {  # the same files as a plain name, as a teacher gives it
    "report": "ann.html",
    "export tracking": "1H.csv",
    "transfer export": "ann.passport.json",
    "curriculum export": "maths.toml",
    "backup": "copy.db",
}


@pytest.fixture
def staffed(school: Service) -> Service:
    school.add_staff("head", "Mrs Head", "admin")
    school.user = "head"
    school.add_staff("ms.hughes", "Ms Hughes", "teacher", ["1H"])
    return school


def passport(db: Path, user: str, args: list[str]) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), "--as", user, *args])


def writer(what: str, path: str | Path) -> list[str]:
    return [str(path) if a == "{}" else a for a in WRITERS[what]]


def refused(result: Result, *words: str) -> str:
    """The one line of a proper refusal (exit 1, no traceback), which holds ``words``."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def judgements(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM judgements").fetchone()[0]


# --- new files, --force, mode 0600 -----------------------------------------------------------


@pytest.mark.parametrize("what", sorted(WRITERS))
def test_each_writer_makes_a_new_owner_only_file(what: str, staffed: Service, tmp_path: Path):
    out = tmp_path / "out" / PLAIN[what]
    out.parent.mkdir()
    old = os.umask(0)  # a careless umask changes nothing
    try:
        result = passport(staffed.database_path, "head", writer(what, out))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert out.is_file() and mode(out) == 0o600
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left


@pytest.mark.parametrize("what", sorted(set(WRITERS) - {"backup"}))
def test_an_existing_file_is_refused_unless_force_then_replaced_whole(
    what: str, staffed: Service, tmp_path: Path
):
    out = tmp_path / PLAIN[what]
    out.write_text("the teacher's own file\n")
    out.chmod(0o644)
    before = out.stat().st_ino
    refused(passport(staffed.database_path, "head", writer(what, out)), str(out), "--force")
    assert out.read_text() == "the teacher's own file\n"
    result = passport(staffed.database_path, "head", [*writer(what, out), "--force"])
    assert result.exit_code == 0, result.output
    assert out.read_text() != "the teacher's own file\n"
    assert out.stat().st_ino != before  # a new file renamed over the old one, never rewritten in place
    assert mode(out) == 0o600


def test_backup_force_replaces_only_an_earlier_backup(staffed: Service, tmp_path: Path):
    db = staffed.database_path
    copy = tmp_path / "nightly.db"
    assert passport(db, "head", ["backup", str(copy)]).exit_code == 0
    refused(passport(db, "head", ["backup", str(copy)]), "exists", "--force")
    staffed.judge("A1", "1N-1", "achieved")
    assert passport(db, "head", ["backup", str(copy), "--force"]).exit_code == 0
    assert judgements(copy) == judgements(db) == 1
    keys = tmp_path / "authorized_keys"
    keys.write_text("ssh-ed25519 AAAA teacher\n")
    refused(passport(db, "head", ["backup", str(keys), "--force"]), "not an earlier backup")
    assert keys.read_text() == "ssh-ed25519 AAAA teacher\n"


# --- never the database, its companions or a backup ------------------------------------------


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("what", sorted(WRITERS))
def test_the_database_and_its_companions_are_refused(
    what: str, suffix: str, staffed: Service, tmp_path: Path
):
    db = staffed.database_path
    target = Path(f"{db}{suffix}")
    before = target.stat().st_ino if target.exists() else None
    data = target.read_bytes() if target.exists() and suffix != "-shm" else None  # -shm changes on reads
    result = passport(db, "head", [*writer(what, target), "--force"])
    refused(result, "database")
    assert (target.stat().st_ino if target.exists() else None) == before
    assert (target.read_bytes() if target.exists() and suffix != "-shm" else None) == data
    assert judgements(db) == 0


@pytest.mark.parametrize("what", sorted(set(WRITERS) - {"backup"}))
def test_the_database_by_another_path_is_refused(what: str, staffed: Service, tmp_path: Path):
    db = staffed.database_path
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "data").symlink_to(db.parent)  # a linked folder
    os.link(db, elsewhere / "hard.db")  # a second name for the same file
    data = db.read_bytes()
    for target in (
        elsewhere / "data" / db.name,
        elsewhere / "hard.db",
        db.parent / "." / ".." / db.parent.name / db.name,
    ):
        refused(passport(db, "head", [*writer(what, target), "--force"]), "database")
    assert db.read_bytes() == data and judgements(db) == 0


@pytest.mark.parametrize("what", sorted(set(WRITERS) - {"backup"}))
def test_a_backup_is_never_overwritten_by_another_file(what: str, staffed: Service, tmp_path: Path):
    db = staffed.database_path
    copy = tmp_path / "backups" / "school-Mon.db"
    copy.parent.mkdir()
    assert passport(db, "head", ["backup", str(copy)]).exit_code == 0
    data = copy.read_bytes()
    refused(passport(db, "head", [*writer(what, copy), "--force"]), "a database (a backup?)")
    assert copy.read_bytes() == data


# --- symbolic links ------------------------------------------------------------------------


@pytest.mark.parametrize("what", sorted(WRITERS))
def test_a_symbolic_link_is_refused_not_followed(what: str, staffed: Service, tmp_path: Path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "link.out"
    link.symlink_to(victim)
    for force in ([], ["--force"]):
        refused(passport(staffed.database_path, "head", [*writer(what, link), *force]), "symbolic link")
    assert victim.read_text() == "precious\n" and link.is_symlink()
    dangling = tmp_path / "dangling.out"
    dangling.symlink_to(tmp_path / "made-through-the-link")
    refused(passport(staffed.database_path, "head", writer(what, dangling)))
    assert not (tmp_path / "made-through-the-link").exists()


def test_a_linked_folder_inside_reports_is_refused(staffed: Service, tmp_path: Path):
    db = staffed.database_path
    ssh = tmp_path / "dot-ssh"
    ssh.mkdir()
    reports = db.parent / "reports"
    reports.mkdir()
    (reports / "ms.hughes").symlink_to(ssh)  # her own folder, pointed at ~/.ssh
    refused(passport(db, "ms.hughes", ["report", "A1", "-o", "authorized_keys"]), "symbolic link")
    (reports / "evil").symlink_to(ssh)
    refused(
        passport(db, "head", ["report", "A1", "-o", str(reports / "evil" / "authorized_keys")]),
        "symbolic link",
    )
    assert list(ssh.iterdir()) == []
    (reports / "ms.hughes").unlink()
    (reports / "evil").unlink()
    reports.rmdir()
    reports.symlink_to(ssh)  # reports/ itself a link
    refused(passport(db, "ms.hughes", ["report", "A1", "-o", "authorized_keys"]), "symbolic link")
    assert list(ssh.iterdir()) == []


# --- a teacher under --as writes only in her own folder --------------------------------------


@pytest.mark.parametrize("what", ["report", "export tracking", "transfer export"])
def test_a_teacher_writes_plain_names_into_her_folder(what: str, staffed: Service, tmp_path: Path):
    db = staffed.database_path
    result = passport(db, "ms.hughes", writer(what, PLAIN[what]))
    assert result.exit_code == 0, result.output
    folder = db.parent / "reports" / "ms.hughes"
    assert (folder / PLAIN[what]).is_file() and mode(folder / PLAIN[what]) == 0o600
    assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
    outside = tmp_path / "outside"
    outside.mkdir()
    for path in (outside / "x.out", "../x.out", "../../x.out", "sub/x.out", ".hidden", "..", str(db)):
        refused(passport(db, "ms.hughes", writer(what, path)), "plain file name")
    assert list(outside.iterdir()) == [] and not (db.parent / "reports" / "x.out").exists()


def test_admins_only_back_up_and_export_curricula_checked_in_the_service(staffed: Service, tmp_path: Path):
    teacher = Service(Store.open(staffed.database_path), user="ms.hughes", clock=fixed_clock)
    with pytest.raises(NotAllowed):
        teacher.backup(tmp_path / "copy.db")
    with pytest.raises(NotAllowed):
        teacher.export_curriculum("maths", tmp_path / "maths.toml")
    with pytest.raises(NotAllowed):
        teacher.curriculum_text("maths")
    assert list(tmp_path.glob("copy.db*")) == [] and not (tmp_path / "maths.toml").exists()
    staffed.backup(tmp_path / "copy.db")  # as head
    restore = ["restore", str(tmp_path / "copy.db"), "--yes"]
    for args in (["backup", "x.db"], ["curriculum", "export", "maths"], restore):
        refused(passport(staffed.database_path, "ms.hughes", args), "Only an admin")


def test_a_staff_name_that_is_not_a_plain_name_gets_no_folder(staffed: Service, tmp_path: Path):
    with pytest.raises(PassportError, match="login"):  # refused at the door now
        staffed.add_staff("../../evil", "Evil", "teacher", ["1H"])
    staffed.store.put_staff("../../evil", "Evil", "teacher", ["1H"])  # as an older database may hold
    refused(
        passport(staffed.database_path, "../../evil", ["report", "A1", "-o", "x.html"]), "can't name a folder"
    )
    assert not (tmp_path / "x.html").exists() and not (tmp_path.parent / "evil").exists()


# --- standard output ---------------------------------------------------------------------------


@pytest.mark.parametrize("what", sorted(set(WRITERS) - {"backup"}))
def test_dash_or_no_output_prints_to_standard_output(
    what: str, staffed: Service, tmp_path: Path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    firsts = {
        "report": "<!DOCTYPE html>",
        "export tracking": "\ufeff",
        "transfer export": "{",
        "curriculum export": "[curriculum]",
    }
    for args in (writer(what, "-"), writer(what, "-")[:-2]):
        result = passport(staffed.database_path, "head", args)
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(firsts[what]), result.stdout[:80]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "reports") == [
        "school.db",
        "school.db-shm",
        "school.db-wal",
    ]


def test_a_teacher_prints_to_standard_output_too(staffed: Service):
    result = passport(staffed.database_path, "ms.hughes", ["report", "A1", "-o", "-"])
    assert result.exit_code == 0 and "<html" in result.stdout


# --- names made from data ---------------------------------------------------------------------


def test_the_apps_report_names_from_data_stay_in_the_folder(staffed: Service, tmp_path: Path):
    staffed.user = "ms.hughes"
    for label in ("/../../tmp/x", "..", "class-../../y", "A\x001", "\u202etxt.exe", ".pth"):
        path = staffed.save_report(label, "<html></html>")
        assert path.parent == staffed.database_path.parent / "reports" / "ms.hughes", path
        assert path.is_file() and not path.name.startswith(".") and mode(path) == 0o600
        assert set(path.name) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
    assert not (tmp_path / "x").exists()


def test_safe_and_plain_names():
    assert files.safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert files.safe_name("") == "_" and files.safe_name("...") == "_"
    assert files.safe_name("4O") == "4O"
    for bad in ("", ".", "..", "a/b", "a\\b", ".pth", "a\x00b", "a\nb", "a\u2028b", "x" * 256):
        assert files.plain_name_problem(bad) is not None, bad
    assert files.plain_name_problem("ann-2026.html") is None


def test_a_failed_write_leaves_nothing(tmp_path: Path):
    with pytest.raises(RuntimeError), files.create(tmp_path / "report.html") as new:
        new.write(b"half")
        raise RuntimeError("disk on fire")
    assert list(tmp_path.iterdir()) == []


def test_a_name_taken_while_writing_is_not_clobbered(tmp_path: Path):
    target = tmp_path / "report.html"
    with pytest.raises(files.OutputRefused, match="exists"), files.create(target) as new:
        new.write(b"mine")
        target.write_text("theirs")  # another process got there first
    assert target.read_text() == "theirs" and list(tmp_path.iterdir()) == [target]


def test_a_file_the_system_will_not_make_is_one_line(staffed: Service):
    """Permission, a full disk, a file system that takes no new files: one line, no traceback."""
    db = staffed.database_path
    refused(passport(db, "head", ["report", "A1", "-o", "/proc/ann.html"]), "can't be written")
    refused(passport(db, "head", ["report", "A1", "-o", "/nowhere/ann.html"]), "not a folder")


def test_a_long_name_still_has_room_for_its_temporary_file(tmp_path: Path):
    name = "é" * 124 + ".html"  # 253 bytes: a temporary name built from all of it would be too long
    path = files.write_new(tmp_path / name, "x")
    assert path.read_text() == "x" and list(tmp_path.iterdir()) == [path]
