"""What writing provenance into an exported video or sound costs: time per file and bytes added.

Run: .venv/bin/python -m tests.benchmarks.embed_av_metadata [--runs 30]
For a 5 s 512x512 H.264 MP4 at 24 fps (moving noise, so the file has a realistic size), written as
PyAV writes it (`moov` last) and as a "fast start" file (`moov` first: the chunk offsets move), a
5 s 44.1 kHz stereo WAV and a 5 s MP3, with a generation's typical prompt and settings, prints
the median time to plan the export (read the file's boxes or chunks, build both forms), to write
the whole copy, and, as the baseline, a plain copy of the stored file; then the bytes added. Then
the same with Content Credentials signed (c2pa-python, the installation's own key): the time and
the bytes the credentials add on top of the metadata, and the time an upload takes to read them.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import av
from PIL import Image

from boards_desktop.media.content_credentials import CredentialSigner, load_identity, read_credentials
from boards_desktop.media.embed import splice_for
from boards_desktop.media.export_metadata import signed_copy
from boards_desktop.media.provenance import ParentFact, provenance_of

SECONDS = 5
PROMPT = (
    "a lighthouse on a basalt cliff at dusk, storm clouds breaking, waves rolling in, slow dolly forward, "
    "cinematic, volumetric light, highly detailed"
)


def video(path: Path, *, faststart: bool) -> None:
    size, fps = 512, 24
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "veryfast", "crf": "23"})
        stream.width = stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        gradient = Image.linear_gradient("L").resize((size, size))
        for index in range(SECONDS * fps):
            noise = Image.effect_noise((size, size), 24 + index % 16)
            image = Image.merge("RGB", (gradient.rotate(index * 3), noise, gradient))
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def sound(path: Path, fmt: str) -> None:
    rate = 44100
    codec = "pcm_s16le" if fmt == "wav" else "libmp3lame"
    samples = 1152
    with av.open(str(path), "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate, layout="stereo")
        sample_format = "s16" if fmt == "wav" else "s16p"
        for index in range(SECONDS * rate // samples):
            frame = av.AudioFrame(format=sample_format, layout="stereo", samples=samples)
            pattern = bytes((index * 7 + i * 13) % 256 for i in range(256))
            for plane in frame.planes:
                plane.update((pattern * (len(bytes(plane)) // 256 + 1))[: len(bytes(plane))])
            frame.sample_rate, frame.pts = rate, index * samples
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def row(artifact_type: str) -> SimpleNamespace:
    return SimpleNamespace(
        id=uuid.uuid4(),
        board_id=uuid.uuid4(),
        generator_name="fal-kling-video",
        artifact_type=artifact_type,
        status="completed",
        created_at=None,
        input_params={
            "prompt": PROMPT,
            "negative_prompt": "blurry, watermark, text",
            "seed": 1234567890,
            "duration": SECONDS,
            "cfg_scale": 0.5,
            "image": str(uuid.uuid4()),
        },
        output_metadata={"width": 512, "height": 512, "sha256": "ab" * 32},
    )


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        files = {
            "mp4": (Path(folder) / "stored.mp4", "mp4", "video"),
            "mp4 fast": (Path(folder) / "stored-fast.mp4", "mp4", "video"),
            "wav": (Path(folder) / "stored.wav", "wav", "audio"),
            "mp3": (Path(folder) / "stored.mp3", "mp3", "audio"),
        }
        video(files["mp4"][0], faststart=False)
        video(files["mp4 fast"][0], faststart=True)
        sound(files["wav"][0], "wav")
        sound(files["mp3"][0], "mp3")
        signer = CredentialSigner(load_identity(Path(folder)))
        parents = [ParentFact(str(uuid.uuid4()), "image", "cd" * 32)]  # the picture the video was made from
        print(f"{args.runs} runs each, medians; a 5 s 512x512 H.264 MP4 at 24 fps, 5 s of 44.1 kHz stereo")
        print(
            f"{'file':9} {'size B':>9} {'plan ms':>8} {'write ms':>9} {'copy ms':>8} {'meta +B':>8} "
            f"{'sign ms':>8} {'c2pa +B':>8} {'read ms':>8}"
        )
        for label, (path, extension, artifact_type) in files.items():
            generation = row(artifact_type)
            size = path.stat().st_size
            out = Path(folder) / f"out.{extension}"

            def plan(path: Path = path, extension: str = extension, generation: SimpleNamespace = generation) -> object:
                return splice_for(path, extension, provenance_of(generation, parents))

            def write(path: Path = path, out: Path = out, plan: Callable[[], object] = plan) -> None:
                spliced = plan()
                assert spliced is not None
                with out.open("wb") as handle:
                    spliced.write(path, handle)  # type: ignore[attr-defined]

            def copy(path: Path = path, out: Path = out) -> None:
                shutil.copyfile(path, out)

            def sign(path: Path = path, extension: str = extension, generation: SimpleNamespace = generation) -> bytes:
                signed = signed_copy(
                    signer,
                    generation,
                    path.name,
                    path.read_bytes(),
                    parents,
                    splice_for(path, extension, provenance_of(generation, parents)),
                )
                assert signed is not None
                return signed

            splice = plan()
            assert splice is not None
            with_metadata = splice.size(size)  # type: ignore[attr-defined]
            signed = sign()
            signed_path = Path(folder) / f"signed.{extension}"
            signed_path.write_bytes(signed)
            assert read_credentials(signed_path, extension)

            def read(signed_path: Path = signed_path, extension: str = extension) -> object:
                return read_credentials(signed_path, extension)

            print(
                f"{label:9} {size:>9} {median_ms(plan, args.runs):>8.3f} {median_ms(write, args.runs):>9.3f} "
                f"{median_ms(copy, args.runs):>8.3f} {with_metadata - size:>8} {median_ms(sign, args.runs):>8.2f} "
                f"{len(signed) - with_metadata:>8} {median_ms(read, args.runs):>8.2f}"
            )


if __name__ == "__main__":
    main()
