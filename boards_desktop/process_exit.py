"""Ending the process once a command has done its work, with its exit code.

The bucket's client (obstore, media.bucket) runs its requests on Rust threads (a tokio runtime)
that Python does not know about and that nothing stops. When the interpreter finalizes, one of
them may still be releasing a Python object of a request that has finished; touching an
interpreter being torn down makes it abort the whole process ("Fatal Python error: Aborted",
SIGABRT). That happened to about one `boards-desktop media gc` in five against a bucket, after
it had done its work and printed its report: a script saw a crash where the command succeeded.

So once the bucket's client was loaded, the process ends without finalizing: the logs closed and
the output flushed first, then `os._exit` with the command's code. Nothing is left to run at
that point: the command's event loop, its worker threads and its database are closed.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn


def exit_process(code: int) -> NoReturn:
    if "obstore" not in sys.modules:
        raise SystemExit(code)  # no foreign threads: Python's own exit, atexit handlers and all
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said on it
            pass
    os._exit(code)
