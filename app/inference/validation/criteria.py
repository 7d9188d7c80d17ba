"""Pass/fail criteria and the sign-off fields of a validation report, from the CLI or a YAML file.

A criteria file, every key optional::

    site: Plant 3, line 2
    customer: ACME
    engineer: J. Doe
    notes: ORCA card in slot 2
    criteria:
      min_fps: 25               # throughput mode
      max_latency_p95_ms: 40    # latency mode (one frame in flight)
      min_agreement: 0.95       # mean agreement score (0..1) with the reference on the same frames
      reference: blazeface_short_range   # a model name (another runtime) or a host (e.g. localhost:8778)

It is read with the registry's YAML reader (registry/yamlread.py), so a syntax
error, a duplicate key or a misspelt field comes back as one line naming the
file, the line and the field. The latency bound applies to latency mode: in
throughput mode the time in flight is mostly queueing, a choice of the run.
The agreement is inference/compare/agreement.py's score (detection F1, top-1, mIoU,
keypoint PCK), averaged over the frames both answered.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from model_picker.registry.errors import RegistryError
from model_picker.registry.yamlread import locate, read_yaml

SIGNOFF_FIELDS = ("site", "customer", "engineer", "notes")
CRITERIA_FIELDS = ("min_fps", "max_latency_p95_ms", "min_agreement", "reference")
PASS, FAIL, NOT_RUN = "PASS", "FAIL", "NOT RUN"


class CriteriaError(ValueError):
    """A criteria file or value that cannot be used: one line, with file:line and field."""


@dataclass
class Criteria:
    min_fps: float | None = None
    max_latency_p95_ms: float | None = None
    min_agreement: float | None = None
    reference: str | None = None  # a model name or a host; needed by min_agreement

    def __bool__(self) -> bool:
        return self.min_fps is not None or self.max_latency_p95_ms is not None or self.min_agreement is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        parts = []
        if self.min_fps is not None:
            parts.append(f"throughput ≥ {self.min_fps:g} FPS")
        if self.max_latency_p95_ms is not None:
            parts.append(f"latency p95 ≤ {self.max_latency_p95_ms:g} ms (one frame in flight)")
        if self.min_agreement is not None:
            parts.append(f"agreement ≥ {self.min_agreement:g} with {self.reference or 'no reference set'}")
        return ", ".join(parts) or "none set"


@dataclass
class SignOff:
    site: str = ""
    customer: str = ""
    engineer: str = ""
    notes: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass
class Verdict:
    verdict: str  # PASS, FAIL or NOT RUN
    reasons: list[str] = field(default_factory=list)


def judge(result: Any | None, criteria: Criteria, error: str = "") -> Verdict:
    """The verdict of one row: a run that failed is FAIL with its error; without criteria a run passes."""
    if result is None:
        return Verdict(FAIL, [error or "the run did not finish"])
    reasons = []
    if criteria.min_fps is not None and result.fps < criteria.min_fps:
        reasons.append(f"throughput {result.fps:.1f} FPS < {criteria.min_fps:g}")
    if criteria.max_latency_p95_ms is not None:
        if not result.single_frames:
            reasons.append("latency mode was not run")
        elif result.single_p95_ms > criteria.max_latency_p95_ms:
            reasons.append(f"latency p95 {result.single_p95_ms:.1f} ms > {criteria.max_latency_p95_ms:g}")
    if criteria.min_agreement is not None:
        reasons += _agreement_reasons(getattr(result, "agreement", None) or {}, criteria)
    return Verdict(FAIL if reasons else PASS, reasons)


def _agreement_reasons(found: dict[str, Any], criteria: Criteria) -> list[str]:
    reference = found.get("reference") or criteria.reference or "no reference"
    if not criteria.reference:
        return ["min_agreement needs a reference (a model name or a host)"]
    if found.get("error") or "score" not in found:
        return [f"agreement with {reference} not measured: {found.get('error') or 'no reference run'}"]
    if found["score"] < criteria.min_agreement:
        return [f"agreement {found['score']:.3f} with {reference} < {criteria.min_agreement:g} "
                f"({found.get('frames', 0)} frames)"]
    return []


def overall(verdicts: list[str]) -> str:
    """FAIL if any row failed, PASS if at least one passed and none failed, else NOT RUN."""
    if FAIL in verdicts:
        return FAIL
    return PASS if PASS in verdicts else NOT_RUN


def load_criteria(path: str | Path) -> tuple[Criteria, SignOff]:
    """Read a criteria file; raises CriteriaError (file:line: field: what is wrong)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaError(f"{path}: cannot read the criteria file: {exc}") from None
    try:
        data, _ = read_yaml(text, str(path))
    except RegistryError as exc:
        raise CriteriaError(str(exc)) from None
    if data is None:
        return Criteria(), SignOff()

    def fail(keys: list[Any], message: str) -> CriteriaError:
        where = locate(text, keys)
        line = f":{where[0]}" if where else ""
        return CriteriaError(f"{path}{line}: {'.'.join(map(str, keys))}: {message}")

    if not isinstance(data, dict):
        raise CriteriaError(f"{path}:1: a criteria file is a mapping of site, customer, engineer, notes and criteria")
    known = (*SIGNOFF_FIELDS, "criteria")
    for key in data:
        if key not in known:
            raise fail([key], _unknown(key, known))
    signoff = {}
    for key in SIGNOFF_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str | int | float):
            raise fail([key], "must be text")
        signoff[key] = "" if value is None else str(value)
    limits = data.get("criteria") or {}
    if not isinstance(limits, dict):
        raise fail(["criteria"], f"must be a mapping of {', '.join(CRITERIA_FIELDS)}")
    values: dict[str, Any] = {}
    for key, value in limits.items():
        if key not in CRITERIA_FIELDS:
            raise fail(["criteria", key], _unknown(key, CRITERIA_FIELDS))
        if key == "reference":
            if not isinstance(value, str) or not value.strip():
                raise fail(["criteria", key], f"must be a model name or a host, got {value!r}")
            values[key] = value.strip()
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise fail(["criteria", key], f"must be a number ≥ 0, got {value!r}")
        values[key] = float(value)
    if "min_agreement" in values and "reference" not in values:
        raise fail(["criteria", "min_agreement"], "needs criteria.reference: the model name or host to agree with")
    return Criteria(**values), SignOff(**signoff)


def _unknown(key: Any, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f"did you mean {close[0]}?" if close else f"known fields: {', '.join(known)}"
    return f"unknown field; {hint}"
