"""What every command-line job shares: open the database of the data folder (or the URL given),
run the job, and turn the program's errors into one line in Chinese on stderr and exit code 1,
never a traceback."""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from civaffairs.core.i18n import _

if TYPE_CHECKING:
    from civaffairs.db.database import Database

T = TypeVar("T")


class Failed(Exception):
    """The job failed and its message has been printed."""


def run_job(args: argparse.Namespace, job: Callable[["Database"], T], *, out: Path | None = None) -> T:
    """`job(db)` on the command's database; raises `Failed` after printing why."""
    from civaffairs.core.errors import CivaffairsError
    from civaffairs.core.paths import resolve_data_dir
    from civaffairs.db.bootstrap import open_database

    try:
        db = open_database(resolve_data_dir(args.data_dir), args.database_url)
    except CivaffairsError as e:  # a damaged database file: said in Chinese, never a traceback
        print(e.message, file=sys.stderr)
        raise Failed from e
    try:
        return job(db)
    except CivaffairsError as e:
        print(e.message, file=sys.stderr)
        raise Failed from e
    except OSError as e:
        print(_("Cannot write the file {file}: {error}").format(file=out or e.filename, error=e.strerror or e),
              file=sys.stderr)
        raise Failed from e
    finally:
        db.dispose()


def pdf_pages(data: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", data))
