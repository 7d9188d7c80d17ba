"""Outputs on a full disk: one line and a non-zero exit per file, and nothing partial left behind.

A real 3 MB tmpfs (mounting needs root: skipped otherwise) is filled up, leaving a
little or no room, and every kind of output is written into it: a recording, the
results as CSV and JSON lines, a comparison report, validation reports in four
formats and a bench report. Afterwards the folder holds the filler alone.
"""

from __future__ import annotations

import errno
import subprocess
from pathlib import Path

import pytest

from model_picker.atomic import AtomicFile, OutputError, write_text
from tests.cli.runner import cli

MODEL = "blazeface_short_range"
FAST = ("--frames", "3", "--warmup", "1")


class FullDisk:
    """A small tmpfs; ``fill(leave)`` leaves about ``leave`` bytes free."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.filler = folder / "filler"

    def fill(self, leave: int = 0) -> Path:
        self.filler.unlink(missing_ok=True)
        with open(self.filler, "wb", buffering=0) as out:
            try:
                while True:
                    out.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        if leave:
            with open(self.filler, "r+b") as out:
                out.truncate(self.filler.stat().st_size - leave)
        return self.folder

    def left(self) -> list[str]:
        """What the folder holds besides the filler (temporary files included)."""
        return sorted(p.name for p in self.folder.iterdir() if p != self.filler)


@pytest.fixture
def full_disk(tmp_path):
    folder = tmp_path / "full"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {mounted.stderr.decode().strip()}")
    try:
        yield FullDisk(folder)
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def failed_once_per_file(done: subprocess.CompletedProcess, *names: str) -> None:
    """Exit 1, no traceback, and for each file one line saying the disk is full (a name may be a prefix:
    a Markdown report's charts and a comparison's pictures are written first, and named when they fail)."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert "Report:" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if "the disk is full" in line]
    assert len(lines) == len(names), done.stderr
    for name, line in zip(names, lines):
        assert line.startswith("model-picker: ") and f"cannot write {name}" in line and "nothing was kept" in line


def test_every_output_on_a_full_disk_is_one_line_and_leaves_nothing(full_disk):
    disk = full_disk
    video = disk.fill(0) / "run.mp4"
    failed_once_per_file(cli("run", MODEL, "--frames", "5", "--quiet", "--out", str(video)), str(video))
    assert disk.left() == []
    for suffix in ("csv", "jsonl"):
        results = disk.folder / f"results.{suffix}"
        failed_once_per_file(cli("run", MODEL, "--frames", "5", "--quiet", "--results", str(results)), str(results))
        assert disk.left() == []
    pdf = disk.fill(48_000) / "bench.pdf"  # room for a part of it: a truncated PDF must not be left
    failed_once_per_file(cli("bench", MODEL, *FAST, "--report", str(pdf)), str(pdf))
    assert disk.left() == []
    reports = [str(disk.fill(0) / f"valid.{suffix}") for suffix in ("pdf", "html", "md", "json")]
    done = cli("validate", MODEL, *FAST, "--latency-frames", "3", "--raw-seconds", "0",
               *[a for r in reports for a in ("--report", r)])
    failed_once_per_file(done, reports[0], reports[1], str(disk.folder / "valid"), reports[3])
    assert "Overall: PASS" in done.stdout  # the work was done; only its files could not be written
    assert disk.left() == []
    reports = [str(disk.folder / "compare.html"), str(disk.folder / "compare.json")]
    done = cli("compare", MODEL, MODEL, "--frames", "3", *[a for r in reports for a in ("--report", r)])
    failed_once_per_file(done, *[str(disk.folder / "compare")] * 2)
    assert disk.left() == []


def test_a_file_written_bit_by_bit_is_dropped_at_the_write_that_fails(full_disk):
    disk = full_disk
    disk.fill(20_000)
    out = AtomicFile(disk.folder / "rows.csv")
    with pytest.raises(OutputError, match=r"rows.csv: the disk is full .*nothing was kept"):
        for _ in range(10_000):
            out.write("x" * 1000 + "\n")
        out.commit()
    out.commit()  # after a failure: nothing left to do
    assert disk.left() == []
    with pytest.raises(OutputError, match="the disk is full"):
        write_text(disk.folder / "report.html", "y" * 100_000)
    assert disk.left() == []
    (disk.folder / "report.html").unlink(missing_ok=True)
    disk.filler.unlink()
    assert write_text(disk.folder / "report.html", "whole").read_text() == "whole"
    assert disk.left() == ["report.html"]
