"""What every screen of a logged-in session needs, handed down from the main window."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from civaffairs.accounts.roles import Actor
from civaffairs.db.database import Database
from civaffairs.gui.operations import Operations
from civaffairs.gui.settings import Preferences


@dataclass
class AppContext:
    db: Database
    ops: Operations
    actor: Actor
    data_dir: Path
    prefs: Preferences
    office_name: str
