"""What writing provenance into an exported picture costs: time per image and bytes added.

Run: .venv/bin/python -m tests.benchmarks.embed_metadata [--runs 200]
For a 1024x1024 PNG, JPEG and WebP (detailed artwork, so the files have realistic sizes) and a
generation with a typical prompt and settings, prints the median time to plan the export (read the
file's head, build both forms, make the blocks), the time to write the whole copy, and, as the
baseline, a plain copy of the stored file; then the bytes added and their share of the file.
Then the same with Content Credentials signed (c2pa-python, the installation's own key) and the
bytes they add. Then what reading a picture's metadata and credentials costs an upload (the exported
copies read back). Last, the perceptual hash every stored picture gets, on a 512 px (thumbnail) picture.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

from PIL import Image

from boards_desktop.media.content_credentials import CredentialSigner, load_identity, read_credentials
from boards_desktop.media.embed import splice_for
from boards_desktop.media.export_metadata import signed_copy
from boards_desktop.media.found_metadata import read_found_metadata
from boards_desktop.media.perceptual_hash import dhash
from boards_desktop.media.provenance import ParentFact, provenance_of

SIZE = 1024
PROMPT = (
    "a lighthouse on a basalt cliff at dusk, storm clouds breaking, warm light in the lantern room, "
    "gulls, long exposure sea, oil painting in the style of the Hudson River school, highly detailed"
)


def artwork(fmt: str) -> bytes:
    detail = Image.effect_mandelbrot((SIZE, SIZE), (-2.2, -1.4, 0.8, 1.4), 120)
    gradient = Image.linear_gradient("L").resize((SIZE, SIZE))
    noise = Image.effect_noise((SIZE, SIZE), 32)
    buffer = io.BytesIO()
    Image.merge("RGB", (detail, gradient, noise)).save(buffer, format=fmt, **({"quality": 90} if fmt != "PNG" else {}))
    return buffer.getvalue()


def row() -> SimpleNamespace:
    return SimpleNamespace(
        id=uuid.uuid4(),
        board_id=uuid.uuid4(),
        generator_name="fal-flux-dev",
        artifact_type="image",
        status="completed",
        created_at=None,
        input_params={
            "prompt": PROMPT,
            "negative_prompt": "blurry, watermark, text",
            "seed": 1234567890,
            "steps": 28,
            "guidance_scale": 3.5,
            "image_size": "square_hd",
            "image": str(uuid.uuid4()),
        },
        output_metadata={"width": SIZE, "height": SIZE, "sha256": "ab" * 32},
    )


def median_ms(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    generation = row()
    parents = [ParentFact(generation.input_params["image"], "image", "cd" * 32)]
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'format':6} {'file':>9} {'plan ms':>8} {'write ms':>9} {'copy ms':>8} {'added B':>8} {'added %':>8}")
        for fmt, extension in (("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")):
            path = Path(folder) / f"stored.{extension}"
            path.write_bytes(artwork(fmt))
            size = path.stat().st_size
            out = Path(folder) / f"out.{extension}"

            def plan(path: Path = path, extension: str = extension) -> object:
                return splice_for(path, extension, provenance_of(generation, parents))

            splice = plan()
            assert splice is not None

            def write(path: Path = path, out: Path = out) -> None:
                spliced = plan(path)
                assert spliced is not None
                with out.open("wb") as handle:
                    spliced.write(path, handle)

            def copy(path: Path = path, out: Path = out) -> None:
                shutil.copyfile(path, out)

            added = splice.size(size) - size
            print(
                f"{fmt:6} {size:>9} {median_ms(plan, args.runs):>8.3f} {median_ms(write, args.runs):>9.3f} "
                f"{median_ms(copy, args.runs):>8.3f} {added:>8} {added / size * 100:>7.2f}%"
            )
        signer = CredentialSigner(load_identity(Path(folder)))
        print(f"\n{'format':6} {'sign ms':>8} {'added B':>8} {'added %':>8}  (metadata and signed Content Credentials)")
        for extension in ("png", "jpg", "webp"):
            path = Path(folder) / f"stored.{extension}"
            size = path.stat().st_size

            def sign(path: Path = path, extension: str = extension) -> bytes:
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

            added = len(sign()) - size
            print(
                f"{extension:6} {median_ms(sign, max(10, args.runs // 10)):>8.3f} {added:>8} {added / size * 100:>7.2f}%"
            )
        print(f"\n{'format':6} {'read ms':>8} {'c2pa ms':>8}  (an upload reading a signed export back)")
        for extension in ("png", "jpg", "webp"):
            stored = Path(folder) / f"stored.{extension}"
            signed_path = Path(folder) / f"signed.{extension}"
            plan = splice_for(stored, extension, provenance_of(generation, parents))
            signed = signed_copy(signer, generation, stored.name, stored.read_bytes(), parents, plan)
            assert signed is not None
            signed_path.write_bytes(signed)
            assert read_found_metadata(signed_path) is not None and read_credentials(signed_path, extension)

            def found(path: Path = signed_path) -> object:
                return read_found_metadata(path)

            def credentials(path: Path = signed_path, extension: str = extension) -> object:
                return read_credentials(path, extension)

            runs = max(10, args.runs // 10)
            print(f"{extension:6} {median_ms(found, runs):>8.3f} {median_ms(credentials, runs):>8.3f}")
    with Image.open(io.BytesIO(artwork("PNG"))) as image:
        thumbnail = image.resize((512, 512))
    print(f"\ndHash of a 512x512 thumbnail: {median_ms(lambda: dhash(thumbnail), args.runs):.3f} ms")


if __name__ == "__main__":
    main()
