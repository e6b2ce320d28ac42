"""Receiving a multipart/form-data upload from the raw request stream, the file straight to disk.

Litestar's own form parsing spools files to the system temporary folder (a second copy, on what
may be another disk) and knows nothing of our size limit until the body has arrived. Parsing the
ASGI stream ourselves with `multipart`'s push parser (the one Litestar uses) lets the file's bytes
go to a temporary path beside the media they will join, lets the size limit stop a transfer as
soon as it is passed, and holds at most one write buffer in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from multipart import MultipartError, MultipartSegment, ParserLimitReached, PushMultipartParser

from boards_desktop.media.spool import SpoolFile

# Text fields are ids, a type and a description: a few KiB at most. The slack lets the body
# carry them, part headers and boundaries beside a file of the largest allowed size.
MAX_FIELD_BYTES = 64 * 1024
MAX_PARTS = 32
BODY_SLACK_BYTES = 1024 * 1024


class FormError(ValueError):
    """The request body is not an upload we accept; `status` is 400, or 413 for a size limit."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class ReceivedFile:
    path: Path
    size: int
    filename: str | None  # as the client sent it: not safe to use as a path
    content_type: str | None


@dataclass
class UploadForm:
    fields: dict[str, str] = field(default_factory=dict)
    file: ReceivedFile | None = None


def boundary_of(content_type: str | None) -> bytes:
    """The multipart boundary from a Content-Type header, or a FormError saying what to send."""
    media_type, _, params = (content_type or "").partition(";")
    if media_type.strip().lower() != "multipart/form-data":
        raise FormError(
            f"Expected a multipart/form-data body, got {media_type.strip() or 'no Content-Type'}; "
            "send the file as a form upload (curl -F file=@picture.png -F board_id=... -F artifact_type=image)"
        )
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "boundary" and value.strip().strip('"'):
            return value.strip().strip('"').encode("latin-1")
    raise FormError("The multipart/form-data Content-Type has no boundary; let your HTTP client build the form")


def check_announced_size(content_length: str | None, max_file_bytes: int) -> None:
    """Refuse at once a body whose Content-Length says it cannot fit (before reading any of it)."""
    if content_length is None:
        return
    try:
        announced = int(content_length)
    except ValueError:
        raise FormError(f"Content-Length {content_length!r} is not a number") from None
    if announced > max_file_bytes + BODY_SLACK_BYTES:
        raise FormError(too_large_message(max_file_bytes), status=413)


def too_large_message(max_file_bytes: int) -> str:
    return (
        f"The file is larger than the upload limit of {max_file_bytes / (1024 * 1024):g} MB; "
        "upload a smaller file, or raise BOARDS_MAX_UPLOAD_MB"
    )


async def receive_upload_form(
    chunks: AsyncIterable[bytes],
    *,
    boundary: bytes,
    file_field: str,
    new_file_path: Callable[[], Path],
    max_file_bytes: int,
    on_file_start: Callable[[Mapping[str, str]], None] | None = None,
) -> UploadForm:
    """Parse the body: text fields into memory, the one file part into a fresh file.

    `on_file_start` sees the fields sent before the file and may raise to stop before any byte of
    the file is written (a client that sends `board_id` first learns of a typo at once). On any
    error the file written so far is deleted; on success the caller owns it.
    """
    form = UploadForm()
    opened: list[SpoolFile] = []
    try:
        await _parse(chunks, boundary, form, file_field, new_file_path, max_file_bytes, on_file_start, opened)
        return form
    except BaseException:  # a refusal, a client that went away, a cancelled task: no file stays
        for spool in opened:
            await spool.discard()
        raise


async def _parse(
    chunks: AsyncIterable[bytes],
    boundary: bytes,
    form: UploadForm,
    file_field: str,
    new_file_path: Callable[[], Path],
    max_file_bytes: int,
    on_file_start: Callable[[Mapping[str, str]], None] | None,
    opened: list[SpoolFile],
) -> None:
    body_limit = max_file_bytes + BODY_SLACK_BYTES
    received = 0
    segment: MultipartSegment | None = None
    text: bytearray | None = None
    spool: SpoolFile | None = None
    try:
        with PushMultipartParser(boundary, max_segment_count=MAX_PARTS) as parser:
            async for chunk in _with_end(chunks):
                received += len(chunk)
                if received > body_limit:
                    raise FormError(too_large_message(max_file_bytes), status=413)
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        segment = event
                        if event.name == file_field:  # with or without a filename: its bytes are the file
                            if form.file is not None or spool is not None:
                                raise FormError(f"Send one file per upload; the form has more than one '{file_field}'")
                            if on_file_start is not None:
                                on_file_start(form.fields)
                            spool = await SpoolFile(new_file_path()).open()
                            opened.append(spool)
                        else:
                            text = bytearray()
                    elif event is not None:  # a piece of the current part's body
                        if spool is not None:
                            if spool.size + len(event) > max_file_bytes:
                                raise FormError(too_large_message(max_file_bytes), status=413)
                            await spool.write(event)
                        elif text is not None:
                            if len(text) + len(event) > MAX_FIELD_BYTES:
                                raise FormError(
                                    f"The form field '{field_label(segment.name if segment else None)}' is longer than "
                                    f"{MAX_FIELD_BYTES // 1024} KiB; send the file in the '{file_field}' field"
                                )
                            text += event
                    else:  # the end of a part
                        assert segment is not None and segment.name is not None  # the parser names a nameless part ""
                        if spool is not None:
                            await spool.finish()
                            form.file = ReceivedFile(spool.path, spool.size, segment.filename, segment.content_type)
                            spool = None
                        elif text is not None:
                            form.fields[segment.name] = _decode_field(segment, bytes(text))
                            text = None
                        segment = None
                if parser.closed:
                    break
    except ParserLimitReached:
        raise FormError(
            f"The form has too many parts or too long part headers; send at most {MAX_PARTS} fields"
        ) from None
    except MultipartError as exc:
        raise FormError(
            f"The multipart/form-data body is malformed ({exc}); let your HTTP client build the form"
        ) from None


async def _with_end(chunks: AsyncIterable[bytes]) -> AsyncIterable[bytes]:
    """The chunks, then one empty chunk: the parser's signal that the input ended."""
    async for chunk in chunks:
        if chunk:
            yield chunk
    yield b""


_TEXT_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


def _decode_field(segment: MultipartSegment, raw: bytes) -> str:
    name = field_label(segment.name)
    charset = (segment.charset or "utf-8").lower()
    if charset not in _TEXT_CHARSETS:
        # Other codecs (utf-7, unicode_escape, ...) can make lone surrogates and NULs out of plain bytes.
        raise FormError(f"The form field '{name}' is sent as {field_label(charset)}; send text fields as UTF-8")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FormError(f"The form field '{name}' is not valid UTF-8 text") from None
    if "\x00" in text:
        raise FormError(f"The form field '{name}' contains a NUL character; remove it")
    return text


def field_label(name: str | None) -> str:
    """A field's name as it can be shown in a message (JSON cannot carry a lone surrogate)."""
    return (name or "?").encode("utf-8", "backslashreplace").decode("utf-8")[:100]
