"""Validation of several models on several inference hosts: one report, a row per model and host.

The AI servers spread the work over their devices; this only drives them: one
thread per host, each host's models one after another (a host's figures are not
disturbed by this app's other runs on it). A host that refuses, fails or dies
mid-run gives a failed row with its reason — the pipeline's watchdog ends a run
whose host stopped answering — and the other hosts complete.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from model_picker.inference.engine.errors import InferenceError
from model_picker.inference.media.sources import SourceError
from model_picker.inference.validation.criteria import FAIL, Criteria, SignOff, Verdict, judge, overall
from model_picker.inference.validation.measure import ValidationResult

SCHEMA_VERSION = 2  # of the JSON report (inference/validation/report.py); raised when its layout changes


@dataclass
class Row:
    """One model on one host: its result, or why there is none, and its verdict."""

    model: str
    host: str
    result: ValidationResult | None = None
    error: str = ""
    verdict: Verdict = field(default_factory=lambda: Verdict(FAIL))

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "host": self.host, "verdict": self.verdict.verdict,
                "reasons": list(self.verdict.reasons), "error": self.error,
                "result": self.result.to_dict() if self.result is not None else None}


@dataclass
class Report:
    """What a report shows: the rows, the criteria they were judged by, the sign-off fields, each host's hardware."""

    rows: list[Row]
    criteria: Criteria = field(default_factory=Criteria)
    signoff: SignOff = field(default_factory=SignOff)
    hosts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Stream capacity of a mix of models, per host (validation/capacity.py), or {"error": why} for a host where
    # it failed; a single model's capacity is its row's.
    capacity: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return overall([row.verdict.verdict for row in self.rows])

    @property
    def results(self) -> list[ValidationResult]:
        return [row.result for row in self.rows if row.result is not None]

    @classmethod
    def of(cls, results: list[ValidationResult], criteria: Criteria | None = None) -> Report:
        """A report of finished runs (``model-picker bench``, the window's Validate)."""
        criteria = criteria or Criteria()
        return cls([Row(r.model, r.host, r, verdict=judge(r, criteria)) for r in results], criteria,
                   hosts={r.host: r.hardware for r in results if r.hardware})


Job = Callable[[str, str], ValidationResult]  # (model name, host) -> result; raises on failure


def run_fleet(models: list[str], hosts: list[str], job: Job, criteria: Criteria | None = None,
              on_row: Callable[[Row], None] | None = None,
              then: Callable[[str, list[Row]], None] | None = None) -> list[Row]:
    """Every model on every host (hosts in parallel); rows in model-major order, whatever finished first.

    ``then(host, its rows)`` runs on the host's thread after its rows (a mixed stream capacity): it must not raise.
    """
    criteria = criteria or Criteria()
    rows = {(m, h): Row(m, h) for m in models for h in hosts}

    def one_host(host: str) -> None:
        for name in models:
            row = rows[(name, host)]
            try:
                row.result = job(name, host)
            except (InferenceError, SourceError) as exc:
                row.error = str(exc)
            except Exception as exc:  # a host's failure must never take the other hosts' rows with it
                row.error = f"{type(exc).__name__}: {exc}"
            row.verdict = judge(row.result, criteria, row.error)
            if on_row is not None:
                on_row(row)
        if then is not None:
            then(host, [rows[(m, host)] for m in models])

    threads = [threading.Thread(target=one_host, args=(h,), name=f"validate-{h}", daemon=True) for h in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [rows[(m, h)] for m in models for h in hosts]
