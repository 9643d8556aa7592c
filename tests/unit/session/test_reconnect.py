from __future__ import annotations

from desktop_assistant.session.reconnect import FailureBudget, ResumptionState, handover_deadline


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_failures_are_budgeted_with_exponential_backoff():
    clock = Clock()
    budget = FailureBudget(3, initial_s=0.5, max_s=2.0, stable_after_s=10, clock=clock)
    delays = []
    for _ in range(3):
        assert budget.failed()
        delays.append(budget.delay_s())
    assert delays == [0.0, 0.5, 1.0]  # the first retry is immediate
    assert not budget.failed()
    assert budget.exhausted


def test_backoff_is_capped():
    budget = FailureBudget(10, initial_s=0.5, max_s=2.0, clock=Clock())
    for _ in range(8):
        budget.failed()
    assert budget.delay_s() == 2.0


def test_a_stable_link_resets_the_budget_but_a_short_one_does_not():
    clock = Clock()
    budget = FailureBudget(2, stable_after_s=10, clock=clock)
    budget.failed()
    budget.failed()
    budget.connected()
    clock.now += 3
    assert not budget.failed()  # 3 s up was not stable: a third failure in a row spends it
    assert budget.exhausted
    assert budget.failures == 3
    budget = FailureBudget(2, stable_after_s=10, clock=clock)
    budget.failed()
    budget.failed()
    budget.connected()
    clock.now += 10
    assert budget.check_stable()
    assert budget.failures == 0
    assert budget.failed()
    assert budget.delay_s() == 0.0


def test_a_handle_is_kept_only_when_resumable_and_given_out_once():
    state = ResumptionState()
    assert not state.offer(None, False)
    assert not state.offer("h0", False)
    assert state.offer("h1", True)
    assert state.offer("h2", True)
    assert state.take() == "h2"
    assert state.take() is None
    assert not state.available


def test_goaway_deadline_keeps_a_margin_or_half_the_notice():
    d = handover_deadline(60, margin_s=10, now=0)
    assert (d.deadline, d.service_deadline) == (50, 60)
    short = handover_deadline(4, margin_s=10, now=0)
    assert short.deadline == 2
