"""A process that writes one generate output folder, as ``sagewright generate`` does last.

It calls ``write_folder`` exactly as ``write_output_folder`` does, without importing the
registry and SDK (twenty of these run at once in a test).

``python writer.py FILES.json OUT INDEX [--die-before-swap]``: FILES.json maps file names to
contents; INDEX is appended to README.md so each writer's output can be told apart. With
``--die-before-swap`` the process SIGKILLs itself once its staging folder is complete.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

from sagewright import folders


def main() -> None:
    files_json, out, index, *flags = sys.argv[1:]
    files = json.loads(Path(files_json).read_text(encoding="utf-8"))
    files["README.md"] += f"\nwriter {index}\n"
    if "--die-before-swap" in flags:  # the second lock is taken to swap staging in
        calls = []
        real_lock = folders.locked

        def lock_then_die(folder: Path) -> object:
            calls.append(folder)
            if len(calls) == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            return real_lock(folder)

        folders.locked = lock_then_die  # type: ignore[assignment]
    folders.write_folder(Path(out), files, kind="generate")


if __name__ == "__main__":
    main()
