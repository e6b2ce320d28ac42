"""A large upload streams to disk, and huge pictures are thumbnailed a few at a time: the server's
memory does not grow with the file, nor with the number of pictures arriving at once."""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Self

import pytest

from boards_desktop.media.store import MediaStore
from tests.app_harness import running_app
from tests.benchmarks.upload_memory import big_png, upload_drill
from tests.conftest import MEDIA_BACKENDS
from tests.graphql.helpers import create_board
from tests.uploads.samples import write_large_wav
from tests.uploads.support import UPLOAD_URL

SIZE = 50 * 1024 * 1024
BUCKET_SIZE = 90 * 1024 * 1024  # under the default upload limit of 100 MB
_PAGE = os.sysconf("SC_PAGE_SIZE")


class RssSampler:
    """The process's resident memory, sampled every few milliseconds in a thread, above a baseline."""

    def __init__(self) -> None:
        self.baseline = self._rss()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.baseline

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._rss())
            time.sleep(0.002)

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * _PAGE


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads resident memory from /proc")
@pytest.mark.parametrize("media_backend", MEDIA_BACKENDS)
async def test_a_50_mb_upload_does_not_hold_the_file_in_memory(
    tmp_path: Path, storage_environment: dict[str, str], media_backend: str
) -> None:
    # A bucket's multipart upload holds the parts in flight in the S3 client, read and sent (media.bucket:
    # 8 MB parts, four at a time; 43 to 60 MB measured): a bound that does not grow with the file, so
    # its file is larger than that bound.
    size, in_flight = (SIZE, 0) if media_backend == "folder" else (BUCKET_SIZE, 2 * 4 * 8 * 2**20)
    wav = write_large_wav(tmp_path / "long.wav", size)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'boards.db'}"
    async with running_app(database_url, tmp_path / "data", **storage_environment) as client:
        board_id = await create_board(client)
        with wav.open("rb") as handle:
            # Warm up (imports, first queries, PyAV's libraries) so that they do not count.
            await client.http.post(
                UPLOAD_URL,
                data={"board_id": board_id, "artifact_type": "audio"},
                files={"file": ("short.wav", wav.read_bytes()[: 256 * 1024], "audio/wav")},
            )
            tracemalloc.start()
            started = time.perf_counter()
            with RssSampler() as rss:
                response = await client.http.post(
                    UPLOAD_URL,
                    data={"board_id": board_id, "artifact_type": "audio"},
                    files={"file": ("long.wav", handle, "audio/wav")},
                )
            elapsed = time.perf_counter() - started
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert response.status_code == 200, response.text
        key = MediaStore.key_of_url(response.json()["storageUrl"]) or ""
        assert (await client.services.media.describe([key]))[key].size == wav.stat().st_size
        print(
            f"\n{size / 2**20:.0f} MB upload ({media_backend}): {elapsed:.2f} s, peak Python allocations {traced_peak / 2**20:.1f} MB, "
            f"peak RSS growth {rss.growth / 2**20:.1f} MB"
        )
        # The test client and the server share this process: both stream, so neither holds the file.
        assert traced_peak < 12 * 2**20
        assert rss.growth < 25 * 2**20 + in_flight < size


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's resident memory from /proc")
def test_six_parallel_uploads_of_a_huge_png_stay_under_600_mb_and_give_the_memory_back(tmp_path: Path) -> None:
    # The drill of tests/benchmarks/upload_memory.py, against a real `serve` process: 6 x 9,400 x 9,400
    # pixels, 353 MB each once decoded. Memory bounds, not timings.
    png = big_png(tmp_path / "big.png")
    figures = upload_drill(tmp_path / "data", png)
    print(f"\n6 uploads of a 9,400 x 9,400 PNG: {figures}")
    assert figures.peak < 600 * 2**20, figures
    assert figures.settled < 1.5 * figures.idle, figures
