"""What absolute, signed media URLs cost a response: a board page hands out two per generation.

Run: .venv/bin/python -m tests.benchmarks.media_urls [--urls 100] [--runs 200]

Prints the median time to make `--urls` URLs absolute only, signed afresh (the first request of an
expiry step), and signed again (later requests within the step, served from the signer's cache).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from boards_desktop.api.media_urls import MediaUrls
from boards_desktop.security.media_signing import MediaSigner

LIFETIME = 24 * 3600.0


def _median_ms(make: MediaUrls, urls: list[str], runs: int, *, fresh_signer: bool) -> float:
    times = []
    for _ in range(runs):
        if fresh_signer:
            make = MediaUrls(make.base_url, MediaSigner(b"k" * 43), LIFETIME)
        started = time.perf_counter()
        for url in urls:
            make(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=100)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    urls = [f"/api/storage/{uuid.uuid4()}/{uuid.uuid4()}/output.png" for _ in range(args.urls)]
    base = "http://127.0.0.1:8088"
    absolute = _median_ms(MediaUrls(base, None, LIFETIME), urls, args.runs, fresh_signer=False)
    fresh = _median_ms(MediaUrls(base, None, LIFETIME), urls, args.runs, fresh_signer=True)
    cached = _median_ms(MediaUrls(base, MediaSigner(b"k" * 43), LIFETIME), urls, args.runs, fresh_signer=False)
    print(
        f"{args.urls} media URLs: absolute only {absolute:.3f} ms, signed afresh {fresh:.3f} ms, signed again {cached:.3f} ms"
    )


if __name__ == "__main__":
    main()
