"""Run a frozen or installed Desktop Assistant's ``--self-test`` and judge its output.

    python packaging/smoke_test.py PATH/TO/desktop-assistant

Works on every OS (the hosted workflow runs it on each). Passes only if the binary exits 0,
printed a PASS line for every check, and printed none of the markers of a broken bundle.
"""

from __future__ import annotations

import os
import subprocess
import sys

REQUIRED_CHECKS = (
    "python",
    "qt",
    "qasync",
    "portaudio",
    "opencv",
    "echo-cancellation",
    "live-exchange",
)
BROKEN_BUNDLE_MARKERS = (
    "Traceback (most recent call last)",
    "ModuleNotFoundError",
    "could not find or load the Qt platform plugin",
    "error while loading shared libraries",
    "PortAudio library not found",
    "Failed to execute script",
)
TIMEOUT_S = 180


def judge(returncode: int, output: str) -> list[str]:
    """Every reason the run failed; empty when it passed."""
    problems = []
    if returncode != 0:
        problems.append(f"exit status {returncode}")
    for check in REQUIRED_CHECKS:
        if f"PASS {check}:" not in output:
            problems.append(f"check {check!r} did not pass")
    problems += [f"output contains {m!r}" for m in BROKEN_BUNDLE_MARKERS if m in output]
    if "frozen=True" not in output and os.environ.get("SMOKE_EXPECT_FROZEN", "1") == "1":
        problems.append("the binary does not report itself as frozen")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONIOENCODING="utf-8")
    done = subprocess.run(
        [argv[0], "--self-test"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        env=env,
        check=False,
    )
    output = done.stdout + done.stderr
    print(output)
    problems = judge(done.returncode, output)
    for problem in problems:
        print(f"SMOKE FAIL: {problem}")
    print("SMOKE PASS" if not problems else "SMOKE FAILED")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
