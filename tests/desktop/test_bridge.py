"""The desktop bridge's file work on real files: saving a copy, which files it will touch, which
command shows a file in each OS's file manager, and the crash message. (Its answers through the
real window are checked in test_window.py.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from boards_desktop.desktop.bridge import BridgeError, DesktopBridge, export_file
from boards_desktop.desktop.crash import crash_message
from boards_desktop.desktop.external import file_manager_command, system_environment
from boards_desktop.settings import load_settings

BOARD, GENERATION = "0b6c1d7e-3f7b-4a55-9d6a-8f1f2b0c9e11", "6a1e0f43-2c55-4d8c-b1c3-0e9b5d4a7f20"


@pytest.fixture
def settings(tmp_path):
    return load_settings({"BOARDS_DATA_DIR": str(tmp_path / "data"), "BOARDS_CONFIG_FILE": str(tmp_path / "none")})


@pytest.fixture
def stored(settings) -> Path:
    path = settings.media_dir / BOARD / GENERATION / "image.png"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"pixels" * 100)
    return path


def test_save_a_copy_whole_and_refuse_bad_places(stored, tmp_path) -> None:
    target = tmp_path / "out" / "my picture.png"
    target.parent.mkdir()
    assert export_file(stored, target) == target
    assert target.read_bytes() == stored.read_bytes()
    assert [p.name for p in target.parent.iterdir()] == ["my picture.png"]  # no temporary file left

    with pytest.raises(BridgeError, match="is a folder; choose a file name inside it"):
        export_file(stored, target.parent)
    with pytest.raises(BridgeError, match="does not exist; choose another place"):
        export_file(stored, tmp_path / "nowhere" / "x.png")
    with pytest.raises(BridgeError, match="the stored file itself"):
        export_file(stored, stored)


def test_the_bridge_touches_only_files_in_the_media_folder(settings, stored, tmp_path) -> None:
    bridge = DesktopBridge(settings, "http://127.0.0.1:8123")
    key = f"{BOARD}/{GENERATION}/image.png"
    assert bridge._media_file(key) == stored.resolve()
    assert bridge._media_file(f"/api/storage/{key}") == stored.resolve()
    (tmp_path / "secret.txt").write_text("not yours")
    for bad, reason in [
        ("../secret.txt", "segment starting with '.'"),
        ("/etc/passwd", "absolute path"),
        (f"{BOARD}/{GENERATION}", "there is no file"),  # a folder
        (42, "as a string"),
    ]:
        with pytest.raises(BridgeError, match=reason):
            bridge._media_file(bad)


def test_without_its_window_the_bridge_answers_nothing(settings, stored) -> None:
    bridge = DesktopBridge(settings, "http://127.0.0.1:8123")
    with pytest.raises(BridgeError, match="not part of Boards"):
        bridge.show_in_folder(f"{BOARD}/{GENERATION}/image.png")


def test_show_in_folder_per_os(stored) -> None:
    folder = stored.parent
    assert file_manager_command(stored, "linux") == ["xdg-open", str(folder)]
    assert file_manager_command(folder, "linux") == ["xdg-open", str(folder)]
    assert file_manager_command(stored, "darwin") == ["open", "-R", str(stored)]
    assert file_manager_command(folder, "darwin") == ["open", str(folder)]
    assert file_manager_command(stored, "win32") == ["explorer", f"/select,{stored}"]
    assert file_manager_command(folder, "win32") == ["explorer", str(folder)]


def test_children_of_an_unfrozen_app_get_its_environment(monkeypatch) -> None:
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/lib")
    assert system_environment()["LD_LIBRARY_PATH"] == "/opt/lib"


def test_the_crash_message_is_short_and_says_where_the_log_is(tmp_path) -> None:
    log_path = tmp_path / "logs" / "boards.log"
    message = crash_message(RuntimeError("the GPU went away\n" + "detail " * 100), log_path)
    assert message == f"Boards hit an unexpected error (the GPU went away). The details are in the log: {log_path}"
    assert "ValueError" in crash_message(ValueError(), log_path)


def test_a_crash_goes_to_the_log_with_its_traceback_and_to_the_artist_in_one_line(settings, capsys) -> None:
    from boards_desktop.desktop.crash import report_crash
    from boards_desktop.logs import install_log_file

    log_path = install_log_file(settings)
    try:
        raise RuntimeError("the web engine went away")
    except RuntimeError as exc:
        shown = report_crash(exc, log_path)
    assert capsys.readouterr().err == f"boards-desktop: {shown}\n"
    assert str(log_path) in shown
    logged = log_path.read_text()
    assert "unexpected error in the desktop app" in logged
    assert "Traceback" in logged and "RuntimeError: the web engine went away" in logged


class _Window:
    def __init__(self, url: str) -> None:
        self.url = url

    def get_current_url(self) -> str:
        return self.url


def _export_bridge(settings, handler):
    import httpx

    from boards_desktop.desktop.bridge import bind_window

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "api-token").write_text("t" * 43 + "\n")
    bridge = DesktopBridge(settings, "http://127.0.0.1:8123")
    bind_window(bridge, _Window("http://127.0.0.1:8123/#/boards/x"))
    bridge._transport = httpx.MockTransport(handler)
    return bridge


def test_save_export_writes_the_apps_zip_where_the_artist_chose(settings, tmp_path) -> None:
    import httpx

    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, content=b"PK\x03\x04" + b"zip" * 50_000, headers={"content-type": "application/zip"})

    bridge = _export_bridge(settings, handler)
    target = tmp_path / "out" / "harbour.zip"
    target.parent.mkdir()
    suggested: list[str] = []
    bridge._ask_save_path = lambda name: suggested.append(name) or str(target)
    outcome = bridge.save_export([BOARD, GENERATION], "../../harbour studies")
    assert outcome == {"saved": str(target)}
    assert suggested == ["harbour studies.zip"]  # no folders from the page; a .zip name
    assert target.read_bytes() == b"PK\x03\x04" + b"zip" * 50_000
    assert [p.name for p in target.parent.iterdir()] == ["harbour.zip"]  # no temporary file left
    request = asked[0]
    assert request.url.path == "/api/exports/zip"
    assert request.url.params["ids"] == f"{BOARD},{GENERATION}"
    assert request.url.params["filename"] == "harbour.zip"
    assert request.headers["authorization"] == "Bearer " + "t" * 43

    bridge._ask_save_path = lambda name: None
    assert bridge.save_export([BOARD], "x.zip") == {"cancelled": True}


def test_save_export_passes_on_the_apps_refusal_and_keeps_nothing(settings, tmp_path) -> None:
    import httpx

    def handler(request: httpx.Request) -> httpx.Response:
        refusal = {"error": "Generation not found, it may have been deleted: 6a1e0f43", "code": "NOT_FOUND"}
        return httpx.Response(404, json=refusal)

    bridge = _export_bridge(settings, handler)
    target = tmp_path / "gone.zip"
    bridge._ask_save_path = lambda name: str(target)
    with pytest.raises(BridgeError, match="Generation not found, it may have been deleted"):
        bridge.save_export([GENERATION], "gone.zip")
    assert list(tmp_path.glob("*gone.zip*")) == []
    for bad, reason in [([], "as a list"), ("x", "as a list"), (["nope"], "'nope' is not a generation id")]:
        with pytest.raises(BridgeError, match=reason):
            bridge.save_export(bad, "a.zip")
    with pytest.raises(BridgeError, match="does not exist; choose another place"):
        bridge._ask_save_path = lambda name: str(tmp_path / "nowhere" / "a.zip")
        bridge.save_export([GENERATION], "a.zip")


def test_save_export_answers_only_the_apps_own_page(settings) -> None:
    from boards_desktop.desktop.bridge import bind_window

    bridge = _export_bridge(settings, lambda request: None)
    bind_window(bridge, _Window("https://example.com/"))
    with pytest.raises(BridgeError, match="not part of Boards"):
        bridge.save_export([GENERATION], "a.zip")


def test_save_board_archive_writes_the_boards_archive_where_the_artist_chose(settings, tmp_path) -> None:
    import httpx

    asked: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        return httpx.Response(200, content=b"PK\x03\x04" + b"board" * 1000, headers={"content-type": "application/zip"})

    bridge = _export_bridge(settings, handler)
    target = tmp_path / "harbour.board.zip"
    suggested: list[str] = []
    bridge._ask_save_path = lambda name: suggested.append(name) or str(target)
    assert bridge.save_board_archive(BOARD, "harbour.board.zip") == {"saved": str(target)}
    assert suggested == ["harbour.board.zip"]
    assert target.read_bytes() == b"PK\x03\x04" + b"board" * 1000
    assert asked[0].url.path == f"/api/boards/{BOARD}/archive"
    with pytest.raises(BridgeError, match="'nope' is not a board id"):
        bridge.save_board_archive("nope", "a.zip")
    bridge._ask_save_path = lambda name: None
    assert bridge.save_board_archive(BOARD, "x.zip") == {"cancelled": True}
