"""What the UI can ask of the desktop: `window.pywebview.api.save_as(key, name)`, `.show_in_folder(key)`,
`.open_data_folder()`, `.save_export(ids, name)`, `.save_board_archive(board_id, name)`.

Each returns a promise. `save_as` (the file as a download from the app gets it, provenance
written in), `save_export` (a zip of generations' files, as `/api/exports/zip` makes it) and
`save_board_archive` (the board archive of `/api/boards/<id>/archive`) resolve to
`{"saved": "<path>"}` or `{"cancelled": true}`;
the others to `{"opened": "<path>"}`. A refusal rejects the promise with an Error whose message
says what was wrong. Keys are media keys (`<board>/<generation>/<file>`) or the storage URLs the
API hands out (`/api/storage/...`); a key never reaches outside the media folder.

pywebview injects this API into whatever page the window shows, so every call first checks that
the page is the app's own: a site the artist followed a link to gets nothing.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from boards_desktop.desktop.external import OpenFailed, show_in_file_manager
from boards_desktop.logs import log_file_path
from boards_desktop.media.store import MediaKeyError, MediaStore, check_key
from boards_desktop.security.token import token_path
from boards_desktop.settings import Settings

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("boards.desktop")


class BridgeError(RuntimeError):
    """A request from the UI that cannot be done; the message is shown to the artist."""


def _reported(method: Callable[..., Any]) -> Callable[..., Any]:
    """A refusal reaches the page as it is; an unexpected error is logged whole, the page gets a short line."""

    @functools.wraps(method)
    def call(self: DesktopBridge, *args: Any) -> Any:
        try:
            return method(self, *args)
        except BridgeError:
            raise
        except Exception as exc:
            logging.getLogger("boards").error(
                "unexpected error in the desktop bridge (%s)", method.__name__, exc_info=exc
            )
            raise BridgeError(f"something went wrong ({exc}); the details are in the log: {self._log_path}") from None

    return call


class DesktopBridge:
    """The `js_api` object of the window. Attributes are private: pywebview exposes public ones to JS."""

    def __init__(self, settings: Settings, base_url: str) -> None:
        self._media = MediaStore.for_settings(settings)
        self._data_dir = settings.data_dir.resolve()
        self._origin = _origin(base_url)
        self._base_url = base_url.rstrip("/")
        self._log_path = log_file_path(settings)
        self._window: Any = None  # set once the window exists
        self._ask_save_path: Callable[[str], str | None] = self._save_dialog
        self._transport: httpx.BaseTransport | None = None  # tests give their own

    # --- the API the UI sees -----------------------------------------------------------------

    @_reported
    def save_as(self, key: str, suggested_name: str | None = None) -> dict[str, Any]:
        self._check_caller()
        media_key = self._media_key(key)
        # In the media folder: said missing before the dialog opens; in a bucket the app's answer says so.
        source = self._media_file(key) if self._media.bucket is None else None
        name = _safe_file_name(suggested_name) or PurePosixPath(media_key).name
        chosen = self._ask_save_path(name)
        if not chosen:
            return {"cancelled": True}
        target = Path(chosen).expanduser()
        if source is not None and target.exists() and target.resolve() == source.resolve():
            raise BridgeError("that is the stored file itself; choose another place to save a copy")
        # The server writes the picture's provenance into the copy (api.storage's download), as a browser
        # gets it, from the media folder or the bucket alike.
        destination = self._download(self._media.url_of(media_key), {"download": "true"}, target, "file")
        log.info("saved %s to %s", key, destination)
        return {"saved": str(destination)}

    @_reported
    def save_export(self, ids: Any, suggested_name: str | None = None) -> dict[str, Any]:
        """Ask where, then write the zip of these generations' files there (the app's own export)."""
        self._check_caller()
        generation_ids = _export_ids(ids)
        name = _safe_file_name(suggested_name) or "boards-export.zip"
        if not name.lower().endswith(".zip"):
            name += ".zip"
        chosen = self._ask_save_path(name)
        if not chosen:
            return {"cancelled": True}
        params = {"ids": ",".join(generation_ids), "filename": Path(chosen).name}
        destination = self._download("/api/exports/zip", params, Path(chosen), "zip")
        log.info("saved a zip of %d generations to %s", len(generation_ids), destination)
        return {"saved": str(destination)}

    @_reported
    def save_board_archive(self, board_id: Any, suggested_name: str | None = None) -> dict[str, Any]:
        """Ask where, then write the board's archive there (what `boards-desktop boards export` writes)."""
        self._check_caller()
        try:
            board = str(uuid.UUID(str(board_id)))
        except ValueError:
            raise BridgeError(f"{str(board_id)[:60]!r} is not a board id") from None
        name = _safe_file_name(suggested_name) or "board.board.zip"
        if not name.lower().endswith(".zip"):
            name += ".zip"
        chosen = self._ask_save_path(name)
        if not chosen:
            return {"cancelled": True}
        destination = self._download(f"/api/boards/{board}/archive", {}, Path(chosen), "archive")
        log.info("saved the archive of board %s to %s", board, destination)
        return {"saved": str(destination)}

    @_reported
    def show_in_folder(self, key: str) -> dict[str, Any]:
        self._check_caller()
        path = self._media_file(key)
        _open(lambda: show_in_file_manager(path))
        return {"opened": str(path)}

    @_reported
    def open_data_folder(self) -> dict[str, Any]:
        self._check_caller()
        self._data_dir.mkdir(parents=True, exist_ok=True)
        _open(lambda: show_in_file_manager(self._data_dir))
        return {"opened": str(self._data_dir)}

    # --- helpers -----------------------------------------------------------------------------

    def _check_caller(self) -> None:
        current = self._window.get_current_url() if self._window is not None else None
        if current is None or _origin(current) != self._origin:
            raise BridgeError("this page is not part of Boards; the desktop functions answer only the app itself")

    def _media_key(self, key: str) -> str:
        if not isinstance(key, str):
            raise BridgeError("give the media key (or the /api/storage/... URL) of a file as a string")
        key = MediaStore.key_of_url(key) or key
        try:
            check_key(key)
        except MediaKeyError as exc:
            raise BridgeError(f"{exc}; give the key of a file in the media folder") from None
        return key

    def _media_file(self, key: str) -> Path:
        key = self._media_key(key)
        try:
            path = self._media.path_of(key)
        except MediaKeyError as exc:
            raise BridgeError(f"{exc}; give the key of a file in the media folder") from None
        if self._media.bucket is not None:
            # Nothing to show in a file manager: the file is in the team's bucket, not on this disk.
            raise BridgeError(f"this file is in {self._media.location}, not on this computer; download it instead")
        if not path.is_file():
            raise BridgeError(f"there is no file {key!r} in the media folder; it may have been deleted")
        return path

    def _download(self, path: str, params: dict[str, str], destination: Path, what: str) -> Path:
        """Stream the app's answer at `path` into `destination`: whole or not at all."""
        destination = _checked_destination(destination)
        try:
            token = token_path(self._data_dir).read_text().strip()
        except OSError as exc:
            raise BridgeError(f"cannot read the app's token to ask for the {what}: {exc.strerror or exc}") from None
        temporary = destination.with_name(f".{destination.name}.boards-part")
        headers = {"Authorization": f"Bearer {token}"}
        import httpx  # here: the bridge is made before the window opens, and this is a tenth of a second

        try:
            client = httpx.Client(base_url=self._base_url, headers=headers, transport=self._transport, timeout=60)
            with client, client.stream("GET", path, params=params) as answer:
                if answer.status_code != 200:
                    answer.read()
                    raise BridgeError(_refusal(answer))
                with open(temporary, "wb") as out:
                    out.writelines(answer.iter_bytes(1 << 16))
            os.replace(temporary, destination)
        except httpx.HTTPError as exc:
            temporary.unlink(missing_ok=True)
            raise BridgeError(f"the app did not send the {what} ({exc}); is it still running?") from None
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise BridgeError(f"cannot save to {destination}: {exc.strerror or exc}") from None
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return destination

    def _save_dialog(self, suggested_name: str) -> str | None:
        import webview

        if self._window is None:
            raise BridgeError("the window is not open")
        chosen = self._window.create_file_dialog(webview.FileDialog.SAVE, save_filename=suggested_name)
        if isinstance(chosen, (tuple, list)):
            chosen = chosen[0] if chosen else None
        return chosen or None


def bind_window(bridge: DesktopBridge, window: Any) -> None:
    """Give the bridge its window (for dialogs and the caller check); not a method, so JS cannot call it."""
    bridge._window = window


def _checked_destination(destination: Path) -> Path:
    destination = destination.expanduser()
    if destination.is_dir():
        raise BridgeError(f"{destination} is a folder; choose a file name inside it")
    if not destination.parent.is_dir():
        raise BridgeError(f"the folder {destination.parent} does not exist; choose another place")
    return destination


def _export_ids(ids: Any) -> list[str]:
    if not isinstance(ids, (list, tuple)) or not ids:
        raise BridgeError("give the ids of the generations to export as a list")
    parsed = []
    for value in ids:
        try:
            parsed.append(str(uuid.UUID(str(value))))
        except ValueError:
            raise BridgeError(f"{str(value)[:60]!r} is not a generation id") from None
    return parsed


def _refusal(answer: httpx.Response) -> str:
    """The app's own words for a refusal ({"error": ...} or {"detail": ...}), or its status."""
    try:
        body = answer.json()
    except ValueError:
        body = None
    for field in ("error", "detail"):
        if isinstance(body, dict) and isinstance(body.get(field), str):
            return str(body[field])
    return f"the app refused ({answer.status_code})"


def export_file(source: Path, destination: Path) -> Path:
    """Copy a media file to where the artist chose: whole or not at all (a temporary file, then a rename)."""
    destination = _checked_destination(destination)
    if destination.exists() and destination.resolve() == source.resolve():
        raise BridgeError("that is the stored file itself; choose another place to save a copy")
    temporary = destination.with_name(f".{destination.name}.boards-part")
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, destination)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise BridgeError(f"cannot save to {destination}: {exc.strerror or exc}") from None
    return destination


def _open(action: Callable[[], None]) -> None:
    try:
        action()
    except OpenFailed as exc:
        raise BridgeError(str(exc)) from None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _safe_file_name(name: Any) -> str | None:
    """A suggested name without folders: the page suggests a name, the artist picks the place."""
    if not isinstance(name, str):
        return None
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lstrip(".")
    return name[:200] or None
