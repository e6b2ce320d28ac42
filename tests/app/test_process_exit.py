"""A command that used the bucket ends with its own exit code, never with an abort at exit.

The bucket's client runs requests on threads Python does not stop; at the interpreter's exit one
of them could abort the process (SIGABRT) after the command had done its work: about one run in
five of a short command (boards_desktop.process_exit). Each run here is a short process doing
what `media gc` does with a bucket (list it, then exit); twelve of them, so that before the fix
at least one aborted in nearly every run of this test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.s3_server import ThrowawayS3

ROOT = Path(__file__).resolve().parents[2]
RUNS = 12

LIST_THEN_EXIT = """
import asyncio, json, sys
from boards_desktop.media.bucket import Bucket
from boards_desktop.media.bucket_address import parse_bucket_url
from boards_desktop.process_exit import exit_process

environment = json.loads(sys.argv[1])
bucket = Bucket(parse_bucket_url(environment["BOARDS_STORAGE_URL"]), environment)
print(len(asyncio.run(bucket.list())))
exit_process(3)
"""


def test_a_short_command_on_a_bucket_exits_with_its_code(s3_server: ThrowawayS3) -> None:
    bucket = s3_server.new_bucket()
    for number in range(3):
        s3_server.client().put_object(Bucket=bucket, Key=f"team/notes-{number}.txt", Body=b"x")
    environment = json.dumps(s3_server.environment(bucket))
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", LIST_THEN_EXIT, environment],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(RUNS)
    ]
    ended = [(run.wait(timeout=120), *run.communicate()) for run in runs]
    assert [(code, out.strip()) for code, out, _err in ended] == [(3, "3")] * RUNS, [err for *_, err in ended]


def test_without_the_bucket_python_exits_as_usual(tmp_path: Path) -> None:
    # atexit handlers still run when no bucket was used (the common case: a local folder).
    script = "import atexit; from boards_desktop.process_exit import exit_process; atexit.register(print, 'bye'); exit_process(4)"
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (4, "bye"), done.stderr


@pytest.fixture(autouse=True)
def _repository_on_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
