"""The door's decision, without a database: badges/door/decision.py and static/js/door-decision.js (under Node)
answer every case of door_cases.json alike."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from badges.door import decision
from badges.models import NONCE_REUSED, REJECT_REASONS

HERE = Path(__file__).resolve().parent
CASES = HERE / "door_cases.json"
SCRIPT = HERE.parent.parent / "static" / "js" / "door-decision.js"
TABLE = json.loads(CASES.read_text())


def _time(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _inputs(case: dict):
    holder, door, nonce_use = case["holder"], case["door"], case["nonce_use"]
    return dict(
        holder=None if holder is None else decision.Holder(
            holder["badge"], holder["event"], holder["state"],
            None if holder["seats"] is None else frozenset(holder["seats"])),
        door=decision.Door(door["event"], door["name"], door["session"], _time(door["opens"]), _time(door["closes"])),
        at=_time(case["at"]), admitted=case["admitted"],
        nonce_use=None if nonce_use is None else decision.NonceUse(nonce_use["badge"], nonce_use["door"]))


@pytest.mark.parametrize("case", TABLE["cases"], ids=[c["name"] for c in TABLE["cases"]])
def test_python_decides_every_case(case):
    case = {**TABLE["defaults"], **case}
    inputs = _inputs(case)
    got = decision.decide(inputs.pop("holder"), inputs.pop("door"), inputs.pop("at"), **inputs)
    assert (got.status, got.reason) == (case["expect"]["status"], case["expect"]["reason"])


def test_javascript_decides_every_case():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the door page's offline decision (door-decision.js) was not checked")
    result = subprocess.run([node, str(HERE / "door_cases.mjs"), str(SCRIPT), str(CASES)], capture_output=True,
                            text=True, timeout=60, check=True)
    report = json.loads(result.stdout)
    assert report == {"cases": len(TABLE["cases"]), "failures": []}


def test_the_cases_cover_every_reason():
    reasons = {c["expect"]["reason"] for c in TABLE["cases"]}
    assert set(REJECT_REASONS) | {NONCE_REUSED, ""} == reasons
    assert decision.NONCE_REUSED == NONCE_REUSED


@pytest.mark.parametrize("revoked,registration,state", [
    (True, "cancelled", "revoked"), (False, "cancelled", "cancelled"), (False, "waitlisted", "waitlisted"),
    (False, "confirmed", "ok"), (False, "pending", "ok"), (False, None, "ok")])
def test_holder_state(revoked, registration, state):
    assert decision.holder_state(revoked, registration) == state
