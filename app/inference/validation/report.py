"""The validation report: its sections for the one report writer (Markdown, HTML, terminal), and its JSON.

A report is a ``fleet.Report``: rows of model × host with a verdict each, the
criteria they were judged by, the sign-off fields and the hardware each host
reports. Every figure says which mode measured it (``MODES``), and the
registry's own figure sits beside ours with the file it came from. The PDF is
ui/validate/pdf.py's, printed from the HTML.
"""

from __future__ import annotations

import json
from pathlib import Path

from model_picker.atomic import write_text
from model_picker.inference.report import document as doc
from model_picker.inference.report.document import (
    Chart,
    ChartHook,
    Document,
    KeyValues,
    Note,
    Printed,
    Section,
    Signatures,
    Table,
    Verdict,
)
from model_picker.inference.validation.charts import capacity_svg, fps_svg, latency_histogram_svg
from model_picker.inference.validation.criteria import PASS
from model_picker.inference.validation.fleet import SCHEMA_VERSION, Report
from model_picker.inference.validation.hostinfo import hardware_text
from model_picker.inference.validation.measure import ValidationResult
from model_picker.inference.validation.rawbench import ratio_text

MODES = (
    ("Throughput mode", "several frames in flight at once, as many as keep the device busy: the frames per second "
                        "the host sustains (the time a frame spends in flight here is mostly queueing, not latency)."),
    ("Latency mode", "one frame in flight at a time: p50/p95/p99 of the time from sending a frame to having its "
                     "result, a single inference end to end."),
)


def as_report(results: Report | list[ValidationResult]) -> Report:
    return results if isinstance(results, Report) else Report.of(results)


def registry_figures(metadata: dict | None, source: str) -> dict:
    """What ``result.registry`` holds: the registry's own speed figures for the model and the file they are from."""
    meta = metadata or {}
    return {"fps_cpu": meta.get("fps_cpu"), "latency_ms_cpu": meta.get("latency_ms_cpu"), "source": source}


def registry_text(r: ValidationResult) -> str:
    reg = r.registry
    if not reg or (reg.get("fps_cpu") is None and reg.get("latency_ms_cpu") is None):
        return "-"
    figures = []
    if reg.get("fps_cpu") is not None:
        figures.append(f"{reg['fps_cpu']} FPS")
    if reg.get("latency_ms_cpu") is not None:
        figures.append(f"{reg['latency_ms_cpu']} ms")
    return f"{', '.join(figures)} (fps_cpu / latency_ms_cpu in {reg.get('source', 'the registry')})"


def summary_rows(report: Report) -> list[list[str]]:
    """Latency columns are latency mode's; with several runs, each run's throughput against the first's."""
    compare = len(report.rows) > 1
    agree = any(row.result is not None and row.result.agreement for row in report.rows)
    header = ["Model", "Host", "Device", "FPS", "p50 ms", "p95 ms", "p99 ms", *(["vs first"] if compare else []),
              *(["Agreement"] if agree else []), "Verdict"]
    rows = [header]
    first = report.rows[0].result if report.rows else None
    for row in report.rows:
        r = row.result
        note = "; ".join(row.verdict.reasons)
        verdict = row.verdict.verdict + (f": {note}" if note and row.verdict.verdict != PASS else "")
        if r is None:
            rows.append([row.model, row.host, *["-"] * (len(header) - 3), verdict])
            continue
        device = f"{r.device} (emulated on the CPU)" if r.emulated else r.device
        p = (r.single_p50_ms, r.single_p95_ms, r.single_p99_ms) if r.single_frames else (0.0, 0.0, 0.0)
        ratio = [f"{r.fps / first.fps:.2f}x" if first is not None and first.fps else "-"] if compare else []
        agreed = [f"{r.agreement['score']:.3f}" if "score" in r.agreement else "-"] if agree else []
        rows.append([r.model, r.host, device, f"{r.fps:.1f}", *(f"{v:.1f}" if v else "-" for v in p), *ratio,
                     *agreed, verdict])
    return rows


def text_table(results: Report | list[ValidationResult]) -> str:
    """The summary for a terminal."""
    return doc.to_text(Document(sections=[Section(blocks=[Table(summary_rows(as_report(results)))])]))


def _details(r: ValidationResult) -> list[tuple[str, str]]:
    breakdown = ", ".join(f"{k.replace('Duration', '')} {v:.2f} ms" for k, v in r.breakdown_ms.items())
    rows = [("Model", r.model), ("Checksum", r.checksum or "-"), ("Host", r.host), ("Device / runtime", r.device),
            ("Measures", r.execution or "-"),
            ("Throughput mode", f"{r.fps:.1f} FPS with {r.in_flight} frames in flight; {r.frames} timed frames "
                                f"after {r.warmup} warm-up, from {r.source}; time in flight p50 "
                                f"{r.latency_p50_ms:.1f} ms (queueing included)")]
    if r.single_frames:
        rows.append(("Latency mode", f"p50 {r.single_p50_ms:.1f} ms, p95 {r.single_p95_ms:.1f} ms, "
                                     f"p99 {r.single_p99_ms:.1f} ms over {r.single_frames} frames, one in flight "
                                     f"({r.single_fps:.1f} FPS)"))
    rows.append(("Registry figure", registry_text(r)))
    if r.agreement:
        rows.append(("Agreement", agreement_text(r.agreement)))
    if r.raw:
        rows.append(("Device's own limit", ratio_text(r.fps, r.raw)))
    rows += [("PySDK breakdown (mean)", breakdown or "-"), ("Date", r.date),
             ("Client machine", f"{r.machine.get('cpu')}, {r.machine.get('cores')} cores, {r.machine.get('os')}"),
             ("Software", ", ".join(f"{k} {v}" for k, v in r.software.items()))]
    return rows


def agreement_text(a: dict) -> str:
    """The row's agreement with its reference in words: the score and what it is over, or why there is none."""
    if "score" not in a:
        return f"with {a.get('reference') or 'no reference'}: not measured ({a.get('error', '')})"
    where = f"{a['reference_model']} on {a['reference_host']}"
    shared = f"; classes both models have: {', '.join(a['shared_classes'])}" if a.get("shared_classes") else ""
    figures = ", ".join(f"{k} {v:.3g}" for k, v in a.get("metrics", {}).items())
    return (f"{a['score']:.3f} with {where} (mean score over {a['frames']} frames, 1 = the same answer; "
            f"{figures}){shared}")


def tuning_tables(r: ValidationResult) -> list[tuple[str, list[list[str]]]]:
    """(title, rows) of the sweep and the stream capacity, where they were run."""
    tables = []
    if r.sweep:
        keys = [k for k in r.sweep[0] if k not in ("fps", "p95_ms", "error", "best")]
        rows = [["", *keys, "FPS", "p95 in flight ms"]]
        for t in r.sweep:
            figures = [t["error"], ""] if t["error"] else [f"{t['fps']:.1f}", f"{t['p95_ms']:.1f}"]
            rows.append(["★ best" if t["best"] else "", *(str(t[k]) for k in keys), *figures])
        tables.append(("Tuning sweep (one setting changed at a time; ★ the best throughput)", rows))
    if r.capacity:
        tables.append(capacity_table(r.capacity))
    return tables


def capacity_table(c: dict) -> tuple[str, list[list[str]]]:
    """(title, rows) of a stream capacity run; in a mix, a column per model (its mean per-stream FPS)."""
    bound = f", latency p95 ≤ {c['p95_bound_ms']:g} ms" if c.get("p95_bound_ms") else ""
    mix = list(c.get("models") or []) if len(c.get("models") or []) > 1 else []
    rows = [["Streams", "FPS per stream (mean)", "slowest stream", "latency p95 ms", "total FPS",
             *(f"{m} (streams: FPS each)" for m in mix)]]
    for p in c["curve"]:
        own = [p.get("per_model", {}).get(m) for m in mix]
        rows.append([str(p["streams"]), f"{p['per_stream_fps']:.1f}", f"{p['min_stream_fps']:.1f}",
                     f"{p['p95_ms']:.1f}", f"{p['total_fps']:.1f}",
                     *(f"{o['streams']}: {o['per_stream_fps']:.1f}" if o else "-" for o in own)])
    most = c["curve"][-1]["streams"] if c["curve"] else 0
    fit = f"at least {most} (the most tried)" if c["capacity"] == most else str(c["capacity"])
    of = f" cycling over {', '.join(mix)}" if mix else ""
    return (f"Stream capacity: {fit} stream(s){of} of {c['source']} at its own frame rate keep "
            f"{c['target_fps']:g} FPS each{bound} ({c['seconds']:g} s per step)", rows)


def _front(report: Report) -> list[tuple[str, str]]:
    """Sign-off fields, criteria and the overall verdict: the top of every format."""
    s = report.signoff
    rows = [(k.capitalize(), v) for k, v in (("site", s.site), ("customer", s.customer),
                                              ("engineer", s.engineer), ("notes", s.notes)) if v]
    rows.append(("Criteria", report.criteria.describe()))
    rows.append(("Overall verdict", report.verdict))
    rows += [(f"Host {host}", hardware_text(info)) for host, info in report.hosts.items()]
    return rows


def to_json(results: Report | list[ValidationResult]) -> str:
    report = as_report(results)
    return json.dumps({"schema": "model-picker-validation", "schema_version": SCHEMA_VERSION,
                       "signoff": report.signoff.to_dict(),
                       "criteria": report.criteria.to_dict(),
                       "modes": dict(MODES), "verdict": report.verdict, "hosts": report.hosts,
                       "rows": [row.to_dict() for row in report.rows], "capacity_mix": report.capacity}, indent=2)


def document(results: Report | list[ValidationResult]) -> Document:
    """The report's sections: sign-off and verdict, the summary, each row's details and charts, each mix."""
    report = as_report(results)
    front = [Printed(Verdict("Overall verdict", report.verdict, report.verdict == PASS)), KeyValues(_front(report)),
             *(Note(text, label=name) for name, text in MODES)]
    sections = [Section(blocks=front),
                Section("Summary", [Table(summary_rows(report), verdict_column=-1, passing=PASS)])]
    sections += [_result_section(i, r) for i, r in enumerate(report.results)]
    sections += [_mix_section(i, host, c) for i, (host, c) in enumerate(report.capacity.items())]
    sections.append(Section(blocks=[Printed(Signatures(("Engineer", "Customer")))]))
    return Document("Validation report", sections)


def _result_section(i: int, r: ValidationResult) -> Section:
    """One run's details, its tuning sweep and stream capacity where run, and its charts."""
    blocks: list[doc.Block] = [KeyValues(_details(r), header=("Measure", "Result"))]
    blocks += [Table(rows, title) for title, rows in tuning_tables(r)]
    blocks += [Chart(f"{i + 1}-{kind}", svg, f"{kind} of {r.model}")
               for kind, svg in (("latency", latency_histogram_svg(r)), ("fps", fps_svg(r)),
                                 ("capacity", capacity_svg(r.capacity, f"Stream capacity of {r.model}")))]
    return Section(f"{r.model} on {r.host}", blocks)


def _mix_section(i: int, host: str, c: dict) -> Section:
    """A host's stream capacity of the mix of models, or why it was not measured."""
    heading = f"Stream capacity of a mix on {host}"
    if c.get("error"):
        return Section(heading, [Note(f"Not measured: {c['error']}")])
    title, rows = capacity_table(c)
    return Section(heading, [Table(rows, title), Chart(f"mix-{i + 1}-capacity", capacity_svg(c, heading), heading)])


def to_markdown(results: Report | list[ValidationResult], chart_dir: Path | None = None,
                chart_prefix: str = "") -> str:
    """Markdown; the charts are written as SVG files in ``chart_dir`` and linked."""
    return doc.to_markdown(document(results), chart_dir, chart_prefix)


def to_html(results: Report | list[ValidationResult], image: ChartHook = doc.inline) -> str:
    """One page; charts inline as SVG, or through ``image`` (the PDF writer passes rendered pictures)."""
    return doc.to_html(document(results), image)


def write_report(results: Report | list[ValidationResult], path: Path) -> Path:
    """By suffix: .json, .md (charts as SVG files beside it) or .html (charts inline); .pdf is ui/validate/pdf.py's.

    Each file is written whole or not at all (OutputError: ``model_picker.atomic``).
    """
    suffix = path.suffix.lower()
    if suffix == ".json":
        write_text(path, to_json(results))
    elif suffix in (".md", ".markdown"):
        write_text(path, to_markdown(results, path.parent, f"{path.stem}-"))
    elif suffix in (".html", ".htm"):
        write_text(path, to_html(results))
    else:
        raise ValueError(f"{path}: a report is .json, .md, .html or .pdf")
    return path

