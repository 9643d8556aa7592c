import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "packaging"))
import smoke_test

PASSING = "\n".join(f"PASS {c}: fine" for c in smoke_test.REQUIRED_CHECKS) + "\nframe frozen=True\n"


def test_a_clean_run_passes():
    assert smoke_test.judge(0, PASSING) == []


def test_a_failed_check_fails_the_smoke_test_even_with_exit_zero():
    output = PASSING.replace("PASS live-exchange", "FAIL live-exchange")
    assert smoke_test.judge(0, output) == ["check 'live-exchange' did not pass"]


def test_a_traceback_in_the_output_fails_the_smoke_test():
    problems = smoke_test.judge(0, PASSING + "Traceback (most recent call last):\n")
    assert problems == ["output contains 'Traceback (most recent call last)'"]


def test_a_non_zero_exit_fails_the_smoke_test():
    assert "exit status 1" in smoke_test.judge(1, PASSING)
