from __future__ import annotations

import pytest

from desktop_assistant.server.engines.base import Message
from desktop_assistant.server.errors import ProtocolError
from desktop_assistant.server.faults import Fault, FaultKind, FaultPlan
from desktop_assistant.server.messages import Usage
from desktop_assistant.server.resumption import ResumptionStore, Snapshot
from desktop_assistant.server.tokens import (
    TokenConstraints,
    TokenError,
    TokenStore,
    apply_constraints,
)


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


def test_uses_count_new_sessions_only() -> None:
    store = TokenStore(Clock())
    token = store.mint(uses=2)
    store.admit(token, resuming=False)
    store.admit(token, resuming=True)
    store.admit(token, resuming=True)
    store.admit(token, resuming=False)
    with pytest.raises(ProtocolError, match="no uses left"):
        store.admit(token, resuming=False)
    store.admit(token, resuming=True)  # resuming still works within expire_time


def test_deadlines() -> None:
    clock = Clock()
    store = TokenStore(clock)
    token = store.mint(uses=0, expire_in_s=100, new_session_expire_in_s=10)
    clock.now += 11
    with pytest.raises(ProtocolError, match="new sessions"):
        store.admit(token, resuming=False)
    store.admit(token, resuming=True)
    clock.now += 90
    with pytest.raises(ProtocolError, match="expired"):
        store.admit(token, resuming=True)
    assert store.expires_at(token) == 200.0
    with pytest.raises(ProtocolError):
        store.admit("auth_tokens/unknown", resuming=False)


@pytest.mark.parametrize(("uses", "expire"), [(-1, 60.0), (1, 0.0), (1, 21 * 3600.0)])
def test_mint_refuses_what_the_service_refuses(uses: int, expire: float) -> None:
    with pytest.raises(TokenError):
        TokenStore().mint(uses=uses, expire_in_s=expire)


CLIENT = {
    "model": "models/a",
    "generation_config": {"response_modalities": ["AUDIO"], "temperature": 0.1, "top_k": 3},
}
LOCK = {"model": "models/b", "generationConfig": {"temperature": 0.7}, "sessionResumption": {}}


def test_without_a_mask_every_constraint_is_locked() -> None:
    merged = apply_constraints(CLIENT, TokenConstraints(LOCK))  # type: ignore[arg-type]
    assert merged == {
        "model": "models/b",
        "generation_config": {"response_modalities": ["AUDIO"], "temperature": 0.7, "top_k": 3},
        "session_resumption": {},
    }


def test_with_a_mask_only_listed_paths_are_locked() -> None:
    mask = ("model", "generationConfig.top_k")
    merged = apply_constraints(CLIENT, TokenConstraints(LOCK, mask))  # type: ignore[arg-type]
    # model: locked; temperature: a default the client overrides; top_k: locked to "unset".
    assert merged == {
        "model": "models/b",
        "generation_config": {"response_modalities": ["AUDIO"], "temperature": 0.1},
        "session_resumption": {},
    }


def test_handles_work_once_and_expire() -> None:
    clock = Clock()
    store = ResumptionStore(ttl_s=10, clock=clock)
    snapshot = Snapshot((Message("user", "hi"),), 1, Usage(), None)
    first, second = store.issue(snapshot), store.issue(snapshot)
    assert first != second
    assert store.take(first) == snapshot
    assert store.take(first) is None
    clock.now += 11
    assert store.take(second) is None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("reset", Fault(FaultKind.RESET)),
        ("close:1011:Internal error encountered.@conn=2,turn=3,frames=4",
         Fault(FaultKind.CLOSE, connection=2, turn=3, after_frames=4, code=1011,
               reason="Internal error encountered.")),
        ("close:1008", Fault(FaultKind.CLOSE, code=1008)),
        ("stall:2.5@at=setup", Fault(FaultKind.STALL, stall_s=2.5, at="setup")),
        ("unknown-fields", Fault(FaultKind.UNKNOWN_FIELDS)),
        ("text_frames@frames=0", Fault(FaultKind.TEXT_FRAMES, after_frames=0)),
    ],
)  # fmt: skip
def test_fault_specs(spec: str, expected: Fault) -> None:
    assert Fault.parse(spec) == expected


@pytest.mark.parametrize(
    ("spec", "message"),
    [("explode", "unknown fault"), ("close:abc", "whole number"), ("close:99", "between 1000"),
     ("reset:1", "takes no arguments"), ("reset@when=1", "unknown fault option"),
     ("reset@turn", "key=value"), ("reset@at=later", "setup")],
)  # fmt: skip
def test_bad_fault_specs_say_what_is_wrong(spec: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Fault.parse(spec)


def test_faults_fire_once_per_matching_connection() -> None:
    plan = FaultPlan(
        [Fault(FaultKind.RESET, turn=1, after_frames=2), Fault(FaultKind.CLOSE, connection=2)]
    )
    assert plan.due_in_turn(1, turn=1, frames_sent=1) == []
    assert [f.kind for f in plan.due_in_turn(1, turn=1, frames_sent=2)] == [FaultKind.RESET]
    assert plan.due_in_turn(1, turn=1, frames_sent=3) == []
    assert [f.kind for f in plan.due_in_turn(2, turn=1, frames_sent=5)] == [
        FaultKind.RESET,
        FaultKind.CLOSE,
    ]
    assert plan.pending_in_turn(3, turn=2) == []
    assert [f.kind for f in plan.pending_in_turn(3, turn=1)] == [FaultKind.RESET]
    plan.clear()
    assert plan.due_in_turn(1, turn=1, frames_sent=9) == []
