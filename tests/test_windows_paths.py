"""The Windows-only code paths, exercised here on Linux by pretending to be Windows: the data
folder under %LOCALAPPDATA%, SQLite URLs of Windows folders, the fonts under C:\\Windows\\Fonts
and in the user's own font folder, and resources inside the PyInstaller bundle."""
from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path, PureWindowsPath

import platformdirs
import platformdirs.windows
import pytest
from platformdirs.windows import Windows
from sqlalchemy.engine import make_url

from civaffairs.core import paths, resources
from civaffairs.core.resources import resource_path
from civaffairs.printing import fonts
from civaffairs.printing.fonts import FontRole, font


@pytest.fixture
def on_windows(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """sys.platform says win32, platformdirs answers as on Windows (from the environment, as it
    does when the Windows API is not at hand), and %WINDIR%/%LOCALAPPDATA% point into tmp_path."""
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(platformdirs, "PlatformDirs", Windows)
    monkeypatch.setattr(platformdirs.windows, "_RESOLVE_WIN_FOLDER", platformdirs.windows.get_win_folder_from_env_vars)
    monkeypatch.setenv("WINDIR", str(tmp_path / "Windows"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Users" / "张三" / "AppData" / "Local"))
    monkeypatch.delenv("CIVAFFAIRS_SYSTEM_FONTS", raising=False)
    monkeypatch.delenv("CIVAFFAIRS_HOME", raising=False)
    fonts.reset()
    yield tmp_path
    fonts.reset()


def test_the_data_folder_is_under_localappdata(on_windows: Path) -> None:
    assert paths.default_data_dir() == on_windows / "Users" / "张三" / "AppData" / "Local" / "civaffairs"
    assert paths.resolve_data_dir() == paths.default_data_dir()
    assert paths.resolve_data_dir(r"D:\台账") == Path(r"D:\台账")  # --data-dir wins


@pytest.mark.parametrize("folder", [
    r"C:\Users\张三\AppData\Local\civaffairs",
    r"\\fileserver\民政局\civaffairs",  # a network share
    r"D:\台账 100%\civaffairs",
    r"D:\备份%20数据\civaffairs",  # looks like a %-escape in a URL
    r"E:\数据#1\civaffairs",
])
def test_the_sqlite_url_of_a_windows_folder_names_that_very_file(folder: str) -> None:
    url = paths.sqlite_url(PureWindowsPath(folder))  # type: ignore[arg-type]
    database = make_url(url).database
    assert database is not None
    assert PureWindowsPath(database) == PureWindowsPath(folder) / "civaffairs.sqlite"


def test_windows_fonts_are_looked_for_in_windir_and_in_the_users_font_folder(on_windows: Path) -> None:
    found = [PureWindowsPath(str(p)) for p in fonts.windows_fonts_dirs()]
    assert found == [PureWindowsPath(str(on_windows / "Windows" / "Fonts")),
                     PureWindowsPath(str(on_windows / "Users" / "张三" / "AppData" / "Local" / "Microsoft" / "Windows" / "Fonts"))]


def test_without_windir_the_fonts_are_in_c_windows(on_windows: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WINDIR")
    monkeypatch.delenv("SystemRoot", raising=False)
    monkeypatch.delenv("LOCALAPPDATA")
    assert [PureWindowsPath(str(p)) for p in fonts.windows_fonts_dirs()] == [PureWindowsPath(r"C:\Windows\Fonts")]


def test_a_font_installed_for_the_user_only_is_used(on_windows: Path) -> None:
    """方正小标宋简体 installed without administrator rights lands in the user's font folder; it
    is still preferred to 宋体 of C:\\Windows\\Fonts for the title."""
    system = on_windows / "Windows" / "Fonts"
    user = on_windows / "Users" / "张三" / "AppData" / "Local" / "Microsoft" / "Windows" / "Fonts"
    system.mkdir(parents=True)
    user.mkdir(parents=True)
    # Stand-in files under the Windows names: what matters is which file is chosen.
    shutil.copy(resource_path("fonts", "uming.ttc"), system / "simsun.ttc")
    shutil.copy(resource_path("fonts", "FandolSong-Bold.ttf"), user / "FZXBSJW.TTF")
    shutil.copy(resource_path("fonts", "FandolFang-Regular.ttf"), system / "simfang.ttf")
    title, body, song = font(FontRole.TITLE), font(FontRole.FANGSONG), font(FontRole.SONG)
    assert title.system and title.path == user / "FZXBSJW.TTF"
    assert body.system and body.path == system / "simfang.ttf"
    assert song.system and song.path == system / "simsun.ttc"
    assert not font(FontRole.HEI).system  # simhei.ttf is absent: the shipped face stands in


def test_not_on_windows_no_windows_font_folder_is_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.delenv("CIVAFFAIRS_SYSTEM_FONTS", raising=False)
    assert fonts.windows_fonts_dirs() == []


def test_inside_the_bundle_resources_come_from_meipass(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == tmp_path / "resources"
    assert resource_path("fonts", "wqy-microhei.ttc") == tmp_path / "resources" / "fonts" / "wqy-microhei.ttc"
    monkeypatch.delattr(sys, "_MEIPASS")
    assert (resources.resources_dir() / "fonts" / "wqy-microhei.ttc").exists()  # the source tree's
