"""Provenance written into exported MP4, MOV, WAV and MP3 copies, read back with independent readers:
FFmpeg's demuxers (through PyAV, what ffprobe prints), mutagen, exiftool when installed, and the C2PA
project's reader for the credentials signed on top. Real files made with PyAV; no app needed here
(tests/metadata/test_exported_av.py runs the same through the app, from the folder and a bucket)."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import av
import c2pa
import pytest

from boards_desktop.media.content_credentials import MIME_TYPES, CredentialSigner, load_identity
from boards_desktop.media.embed import splice_of
from boards_desktop.media.provenance import ParentFact, Provenance, provenance_of
from tests.metadata.av_files import (
    decoded,
    exiftool_tags,
    mp3_bytes,
    mutagen_tags,
    pyav_tags,
    user_defined_texts,
    video_bytes,
    wav_bytes,
)
from tests.metadata.support import EXIFTOOL

PARENT = str(uuid.uuid4())
PARAMS = {"prompt": "Waves on basalt, slow, ünïcode: yes", "negative_prompt": "people", "seed": 9, "steps": 30}
EXPECTED = (
    "Waves on basalt, slow, ünïcode: yes\nNegative prompt: people\n"
    "Steps: 30, Seed: 9, Model: test-video, Generator: test-video"
)
FILES: dict[str, Callable[[], bytes]] = {
    "mp4": lambda: video_bytes("mp4"),  # moov after the media, as PyAV writes it
    "mp4-faststart": lambda: video_bytes("mp4", faststart=True),  # moov first: chunk offsets move
    "mov": lambda: video_bytes("mov"),
    "wav": wav_bytes,
    "mp3": mp3_bytes,  # with FFmpeg's own ID3v2.4 tag, which keeps its frame
}


def provenance() -> Provenance:
    row = SimpleNamespace(
        id=uuid.uuid4(),
        board_id=uuid.uuid4(),
        generator_name="test-video",
        artifact_type="video",
        status="completed",
        created_at=None,
        input_params=PARAMS,
        output_metadata={"sha256": "ab" * 32},
    )
    return provenance_of(row, [ParentFact(PARENT, "image", "cd" * 32)])


def exported(original: bytes, fmt: str, said: Provenance) -> bytes:
    splice = splice_of(io.BytesIO(original), fmt, said)
    assert splice is not None
    copy = splice.apply(original)
    assert splice.size(len(original)) == len(copy)
    assert b"".join(splice.chunks(io.BytesIO(original), chunk=97)) == copy  # what a download streams
    return copy


@pytest.mark.parametrize("name", list(FILES))
def test_every_reader_finds_the_parameters_and_our_json_and_the_media_is_the_stored_one(name, tmp_path) -> None:
    fmt = name.split("-")[0]
    original = FILES[name]()
    said = provenance()
    copy = exported(original, fmt, said)
    assert decoded(copy) == decoded(original)  # every frame and sample as stored

    tags = pyav_tags(copy)  # FFmpeg's demuxer: what ffprobe shows under format.tags
    assert tags["parameters"] == EXPECTED
    document = json.loads(tags["boards_provenance"])
    assert document["generation_id"] == said.document["generation_id"]
    assert document["inputs"] == PARAMS
    assert document["parents"] == [{"generation_id": PARENT, "role": "image", "sha256": "cd" * 32}]
    if fmt != "mp3":
        assert tags["comment"] == EXPECTED  # what players show as the comment

    read = mutagen_tags(copy, fmt)
    if fmt in ("mp4", "mov"):
        assert read["©cmt"] == EXPECTED
        assert read["----:com.apple.iTunes:parameters"] == EXPECTED
        assert json.loads(read["----:com.apple.iTunes:boards_provenance"]) == document
    else:
        assert read["TXXX:parameters"] == EXPECTED
        assert json.loads(read["TXXX:boards_provenance"]) == document
    if fmt == "mp3":
        assert read["TSSE"].startswith("Lavf")  # the file's own tag kept its frame

    if EXIFTOOL:
        found = exiftool_tags(copy, fmt)
        assert "Warning" not in found and "Error" not in found, found
        if fmt in ("mp4", "mov"):
            assert found["Comment"] == [EXPECTED]
            assert found["Parameters"] == [EXPECTED]
            assert json.loads(found["Boards_provenance"][0]) == document
        else:
            texts = user_defined_texts(found["UserDefinedText"])
            assert texts["parameters"] == EXPECTED
            assert json.loads(texts["boards_provenance"]) == document
        if fmt == "wav":
            assert found["Comment"] == [EXPECTED] and found["Software"] == ["Boards Desktop"]

    # Content Credentials on top of the tags: valid, and the tags and the media survive them.
    signer = CredentialSigner(load_identity(tmp_path))
    signed = signer.sign(copy, fmt, said, title=f"clip.{fmt}")
    assert signed is not None
    reader = c2pa.Reader(MIME_TYPES[fmt], io.BytesIO(signed))
    report = json.loads(reader.json())
    assert str(reader.get_validation_state()) == "Valid"
    reader.close()
    assert [item["code"] for item in report.get("validation_status", [])] == ["signingCredential.untrusted"]
    active = report["manifests"][report["active_manifest"]]
    assert [item["instance_id"] for item in active["ingredients"]] == [f"urn:boards-desktop:generation:{PARENT}"]
    assert pyav_tags(signed)["parameters"] == EXPECTED
    assert decoded(signed) == decoded(original)


@pytest.mark.parametrize("name", list(FILES))
def test_a_file_that_carries_our_tags_already_leaves_as_it_is(name) -> None:
    fmt = name.split("-")[0]
    once = exported(FILES[name](), fmt, provenance())
    assert splice_of(io.BytesIO(once), fmt, provenance()) is None


def test_another_tools_comment_in_an_mp4_is_kept_and_ours_goes_beside_it(tmp_path) -> None:
    path = tmp_path / "theirs.mp4"
    with av.open(io.BytesIO(video_bytes("mp4"))) as source, av.open(str(path), "w", format="mp4") as out:
        out.metadata["comment"] = "made in another tool"
        stream = out.add_stream_from_template(source.streams.video[0])
        for packet in source.demux(source.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    copy = exported(path.read_bytes(), "mp4", provenance())
    read = mutagen_tags(copy, "mp4")
    assert read["©cmt"] == "made in another tool"
    assert read["----:com.apple.iTunes:parameters"] == EXPECTED


def test_a_wav_with_its_own_info_list_keeps_it_and_gains_only_the_id3_chunk(tmp_path) -> None:
    path = tmp_path / "theirs.wav"
    with av.open(io.BytesIO(wav_bytes())) as source, av.open(str(path), "w", format="wav") as out:
        out.metadata["comment"] = "recorded elsewhere"
        stream = out.add_stream_from_template(source.streams.audio[0])
        for packet in source.demux(source.streams.audio[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    copy = exported(path.read_bytes(), "wav", provenance())
    tags = pyav_tags(copy)
    assert tags["comment"] == "recorded elsewhere"
    assert tags["parameters"] == EXPECTED
    assert decoded(copy) == decoded(path.read_bytes())


def _fragmented(tmp_path: Path) -> bytes:
    path = tmp_path / "fragmented.mp4"
    with (
        av.open(io.BytesIO(video_bytes("mp4"))) as source,
        av.open(str(path), "w", format="mp4", options={"movflags": "frag_keyframe+empty_moov"}) as out,
    ):
        stream = out.add_stream_from_template(source.streams.video[0])
        for packet in source.demux(source.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    return path.read_bytes()


def test_files_this_writer_does_not_handle_leave_as_stored(tmp_path) -> None:
    said = provenance()
    clip = video_bytes("mp4")
    assert splice_of(io.BytesIO(clip[: len(clip) - 200]), "mp4", said) is None  # its moov cut short
    assert splice_of(io.BytesIO(_fragmented(tmp_path)), "mp4", said) is None  # moof: offsets we do not move
    assert splice_of(io.BytesIO(b"not a video at all"), "mp4", said) is None
    assert splice_of(io.BytesIO(b"RIFF\x00\x00\x00\x00WAVE"), "wav", said) is None  # its size says 0 bytes
    assert splice_of(io.BytesIO(b"\x00" * 64), "mp3", said) is None
