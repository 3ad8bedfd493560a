"""The program's process killed outright (SIGKILL: a power cut, the task manager) in the middle of
its work.  After a restart the database file passes SQLite's integrity check, every change that
was committed before the kill is there, and an import that was interrupted left nothing at all.

The program runs in a child process (`python -m civaffairs …`, wrapped only to tell the test how
far it has gone), and is killed at a point it reports, not after a guessed delay."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civaffairs.core.paths import DATABASE_FILE
from civaffairs.db.bootstrap import open_database
from civaffairs.exchange.models import ImportBatch
from civaffairs.groups.bureau_office.models import StaffMember
from tests.helpers import bulk_staff

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")

# The real command line, with a line on stdout each time the import has written some rows.
IMPORT_WATCHED = textwrap.dedent("""
    import sys
    from civaffairs.exchange import importer

    real_apply = importer.apply

    def apply(*args, **kwargs):
        def progress(done, total):
            print(f"APPLIED {done} {total}", flush=True)
        kwargs["progress"] = progress
        return real_apply(*args, **kwargs)

    importer.apply = apply
    from civaffairs.cli import main
    sys.exit(main(sys.argv[1:]))
""")

# A clerk saving one record after another, each its own transaction, through the service; the id
# of each is printed only after its commit returned.
EDITS = textwrap.dedent("""
    import sys
    from pathlib import Path
    from civaffairs.accounts.roles import COMMAND_LINE_ACTOR
    from civaffairs.db.bootstrap import open_database
    from civaffairs.groups.bureau_office.fields import STAFF
    from civaffairs.records import service as records
    from tests.helpers import staff_values

    db = open_database(Path(sys.argv[1]))
    first = None
    for i in range(100_000):
        with db.write() as s:
            row = records.create(s, COMMAND_LINE_ACTOR, STAFF, staff_values(name=f"员工{i}"))
            if first is not None and i % 3 == 0:  # and an edit of a record made earlier
                old = records.get(s, COMMAND_LINE_ACTOR, STAFF, first.id)
                first = records.update(s, COMMAND_LINE_ACTOR, STAFF, first.id, old.version, {"post": f"职务{i}"})
        first = first or row
        print("COMMITTED", row.id, first.id, first.values["post"], flush=True)
""")


def _child(script: str, *args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _kill_after(child: subprocess.Popen[str], marker: str, times: int) -> list[str]:
    """The child's lines up to the `times`-th that starts with `marker`; then SIGKILL."""
    lines: list[str] = []
    assert child.stdout is not None
    seen = 0
    for line in child.stdout:
        lines.append(line.strip())
        if line.startswith(marker):
            seen += 1
            if seen == times:
                child.send_signal(signal.SIGKILL)
                break
    child.wait(timeout=60)
    if child.returncode != -signal.SIGKILL:
        pytest.fail(f"the child ended by itself before the kill ({child.returncode}): "
                    f"{child.stderr.read() if child.stderr else ''}")
    return lines


def _sound(path: Path) -> None:
    with sqlite3.connect(path) as c:  # a plain connection: replays the WAL as the program would
        assert c.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_a_kill_in_the_middle_of_a_large_import_leaves_nothing_and_a_sound_file(tmp_path: Path) -> None:
    source = open_database(tmp_path / "source")
    with source.write() as s:
        bulk_staff(s, [f"职工{i}" for i in range(2000)])
    source.dispose()
    workbook = tmp_path / "staff.xlsx"
    done = subprocess.run([sys.executable, "-m", "civaffairs", "export", "bureau_office.staff", "--out",
                           str(workbook), "--data-dir", str(tmp_path / "source")],
                          cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr
    target = tmp_path / "target"
    open_database(target).dispose()

    child = _child(IMPORT_WATCHED, "import", "bureau_office.staff", str(workbook), "--data-dir", str(target))
    # Progress comes every 200 rows: 10 lines as the rows are matched against the register, then
    # 10 as they are written.  The 16th: 1,200 of 2,000 rows written, in the import's transaction.
    lines = _kill_after(child, "APPLIED", 16)
    assert lines[-1] == "APPLIED 1200 2000" and lines.count("APPLIED 2000 2000") == 1, lines

    _sound(target / DATABASE_FILE)
    db = open_database(target)  # a restart
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(StaffMember)) == 0
        assert s.scalar(select(func.count()).select_from(ImportBatch)) == 0
    db.dispose()
    # and the same import, run again after the crash, goes through whole
    again = subprocess.run([sys.executable, "-m", "civaffairs", "import", "bureau_office.staff", str(workbook),
                            "--data-dir", str(target)], cwd=ROOT, capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert again.returncode == 0, again.stderr
    db = open_database(target)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(StaffMember)) == 2000
    db.dispose()


@pytest.mark.parametrize("kill_at", [7, 40, 111])
def test_a_kill_in_a_burst_of_edits_loses_no_committed_change(tmp_path: Path, kill_at: int) -> None:
    data = tmp_path / "data"
    open_database(data).dispose()
    lines = _kill_after(_child(EDITS, str(data)), "COMMITTED", kill_at)
    committed = [line.split() for line in lines if line.startswith("COMMITTED")]
    assert len(committed) == kill_at

    _sound(data / DATABASE_FILE)
    db = open_database(data)
    with db.read() as s:
        stored = {r.id: r for r in s.scalars(select(StaffMember))}
    db.dispose()
    for _, made, first, post in committed:
        assert uuid.UUID(made) in stored  # every record whose commit returned
    _, _, first, post = committed[-1]
    assert stored[uuid.UUID(first)].post == post  # the last committed edit of the first record
    # the kill may land after a commit and before its line: at most that one more record
    assert kill_at <= len(stored) <= kill_at + 1
