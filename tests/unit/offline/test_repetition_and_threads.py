from desktop_assistant.server.engines.offline.asr import cut_repetition
from desktop_assistant.server.engines.offline.threads import free_cores, plan_threads


def test_decoding_loop_is_cut_where_the_opening_recurs() -> None:
    loop = [5, 6, 7, 8, 9, 5, 6, 7, 8, 9, 5, 6]
    assert cut_repetition(loop) == [5, 6, 7, 8, 9]


def test_a_sequence_without_a_loop_is_kept_whole() -> None:
    ids = [1, 2, 3, 4, 1, 2, 9, 10]
    assert cut_repetition(ids) == ids
    assert cut_repetition([]) == []


def test_free_cores_never_exceed_the_usable_ones_and_never_drop_below_one() -> None:
    assert free_cores(usable=2, busy=0.0) == 2
    assert free_cores(usable=2, busy=1.0) == 1
    assert free_cores(usable=2, busy=5.0) == 1
    assert free_cores(usable=8, busy=2.2) == 6


def test_thread_plan_never_uses_more_threads_than_free_cores() -> None:
    for free in (1, 2, 3, 4, 16):
        plan = plan_threads(free)
        assert plan.peak <= free
        assert plan.llm == 1  # a second thread makes the 135M model slower, measured


def test_one_free_core_makes_the_model_wait_for_the_voice() -> None:
    assert plan_threads(1).overlap is False
    assert plan_threads(2).overlap is True


def test_a_stutter_on_one_piece_is_cut_after_its_first_occurrence() -> None:
    assert cut_repetition([7, 8, 8, 8, 8, 8]) == [7, 8]
    assert cut_repetition([1, 2, 3, 4, 5, 4, 5, 4, 5, 4]) == [1, 2, 3, 4, 5]
    assert cut_repetition([1, 2, 2, 3]) == [1, 2, 2, 3]  # twice is speech, not a loop
