"""Write a new Alembic migration from the difference between the models and the migrations.

    python scripts/new_migration.py "add service institutions"

It migrates a scratch SQLite database to the current head, then lets Alembic compare it with the
models.  Read the generated file before committing it (renames come out as drop + add)."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alembic import command

from civaffairs.db.database import make_engine
from civaffairs.db.migrate import alembic_config, head_revision, upgrade


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/scratch.sqlite")
        upgrade(engine)
        head = head_revision() or "0000"
        rev_id = f"{int(head[:4]) + 1:04d}"
        print(f"Now set HEAD = \"{rev_id}\" in civaffairs/db/migrations/__init__.py.")
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=sys.argv[1], autogenerate=True, rev_id=rev_id)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
