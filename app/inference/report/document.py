"""A report as a document of sections, and the one writer that renders it as Markdown, HTML or terminal text.

A feature (validation, comparison, …) builds a ``Document`` of ``Section``s
holding blocks (tables, key-value tables, notes, verdicts, SVG charts,
pictures) and hands it here; its JSON stays its own data. Each block renders
itself in every format, so a new kind of block is one class. The HTML keeps to
the subset Qt's QTextDocument renders (tables with border attributes, inline
styles), so the PDF printed from it shows what a browser shows.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from model_picker.atomic import write_text

ChartHook = Callable[[str, str], str]  # (file name, SVG text) -> the HTML that shows the chart
GOOD, BAD = "#1e7b34", "#b3261e"
STYLE = ("body{font-family:sans-serif;margin:2em;color:#222;font-size:11pt} table{border-collapse:collapse;"
         "margin:0.6em 0} td,th{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top} "
         "th{background:#eef1f5}")


def inline(name: str, svg: str) -> str:
    """The default ``ChartHook``: the SVG itself, inside the page."""
    return svg


@dataclass(frozen=True)
class Markdown:
    """Where a Markdown rendering writes its charts: SVG files ``<prefix><name>.svg`` in ``folder`` (None: none)."""

    folder: Path | None = None
    prefix: str = ""


class Block(Protocol):
    """A piece of a section; each rendering returns "" where the block shows nothing in that format."""

    @property
    def css(self) -> str:
        """A style rule the HTML page needs when it holds this block, or ""."""

    def markdown(self, out: Markdown) -> str: ...

    def html(self, chart: ChartHook) -> str: ...

    def text(self) -> str: ...


@dataclass
class Table:
    """Rows of cells, the first the header; in HTML the ``verdict_column`` is green where it starts with
    ``passing``, red elsewhere."""

    rows: list[list[str]]
    title: str = ""
    verdict_column: int | None = None
    passing: str = ""
    css = ""

    def markdown(self, out: Markdown) -> str:
        lines = ["| " + " | ".join(self.rows[0]) + " |", "|" + "---|" * len(self.rows[0])]
        lines += ["| " + " | ".join(c.replace("|", "/") for c in row) + " |" for row in self.rows[1:]]
        return (f"**{self.title}**\n\n" if self.title else "") + "\n".join(lines)

    def html(self, chart: ChartHook) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.rows[0])
        body = "".join("<tr>" + "".join(self._cell(i, c, len(row)) for i, c in enumerate(row)) + "</tr>"
                       for row in self.rows[1:])
        table = (f"<table border='1' cellspacing='0' cellpadding='5' width='100%'><tr>{head}</tr>{body}"
                 "</table>")
        return (f"<p><b>{html.escape(self.title)}</b></p>\n" if self.title else "") + table

    def _cell(self, column: int, cell: str, width: int) -> str:
        style = ""
        if self.verdict_column is not None and column == self.verdict_column % width:
            style = f" style='color:{GOOD if cell.startswith(self.passing) else BAD};font-weight:bold'"
        return f"<td{style}>{html.escape(cell)}</td>"

    def text(self) -> str:
        """Columns padded to their widest cell, two spaces apart."""
        widths = [max(len(row[c]) for row in self.rows) for c in range(len(self.rows[0]))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in self.rows]
        return (f"{self.title}\n" if self.title else "") + "\n".join(lines)


@dataclass
class KeyValues:
    """Named values, shown as a two-column table under ``header``."""

    pairs: list[tuple[str, str]]
    header: tuple[str, str] = ("Field", "Value")
    css = ""

    @property
    def table(self) -> Table:
        return Table([list(self.header), *map(list, self.pairs)])

    def markdown(self, out: Markdown) -> str:
        return self.table.markdown(out)

    def html(self, chart: ChartHook) -> str:
        return self.table.html(chart)

    def text(self) -> str:
        return self.table.text()


@dataclass
class Note:
    """A paragraph, led by ``label`` in bold when given."""

    body: str
    label: str = ""
    css = ""

    def markdown(self, out: Markdown) -> str:
        return f"**{self.label}**: {self.body}" if self.label else self.body

    def html(self, chart: ChartHook) -> str:
        lead = f"<b>{html.escape(self.label)}</b>: " if self.label else ""
        return f"<p>{lead}{html.escape(self.body)}</p>"

    def text(self) -> str:
        return f"{self.label}: {self.body}" if self.label else self.body


@dataclass
class Verdict:
    """A verdict in large type, green when ``passed`` and red when not."""

    label: str
    verdict: str
    passed: bool
    css = ""

    def markdown(self, out: Markdown) -> str:
        return f"{self.label}: **{self.verdict}**"

    def html(self, chart: ChartHook) -> str:
        return (f"<p style='font-size:15pt'>{html.escape(self.label)}: <b style='color:{GOOD if self.passed else BAD}'>"
                f"{html.escape(self.verdict)}</b></p>")

    def text(self) -> str:
        return f"{self.label}: {self.verdict}"


@dataclass
class Signatures:
    """A line to sign on for each party, e.g. ("Engineer", "Customer")."""

    parties: tuple[str, ...]
    css = ""

    def markdown(self, out: Markdown) -> str:
        return "  ".join(f"{p}'s signature: ______________________" for p in self.parties)

    def html(self, chart: ChartHook) -> str:
        lines = " &nbsp; ".join(f"{html.escape(p)}'s signature: ______________________" for p in self.parties)
        return f"<p><br>{lines}</p>"

    def text(self) -> str:
        return ""


@dataclass
class Chart:
    """An SVG chart (none when ``svg`` is empty): inline in HTML, or through the ``ChartHook`` as
    ``chart-<name>.svg``; a linked file ``<prefix><name>.svg`` in Markdown; nothing in a terminal."""

    name: str
    svg: str
    alt: str = ""
    css = ""

    def markdown(self, out: Markdown) -> str:
        if not self.svg or out.folder is None:
            return ""
        file = f"{out.prefix}{self.name}.svg"
        write_text(out.folder / file, self.svg)
        return f"![{self.alt}]({file})"

    def html(self, chart: ChartHook) -> str:
        return f"<p>{chart(f'chart-{self.name}.svg', self.svg)}</p>" if self.svg else ""

    def text(self) -> str:
        return ""


@dataclass
class Picture:
    """A JPEG picture: embedded in HTML (the page travels alone), linked as ``path`` in Markdown."""

    path: str
    jpeg: bytes
    alt: str = ""
    css = "img{max-width:100%;margin:0.3em 0 1em}"

    def markdown(self, out: Markdown) -> str:
        return f"![{self.alt}]({self.path})"

    def html(self, chart: ChartHook) -> str:
        data = base64.b64encode(self.jpeg).decode("ascii")
        return f"<img alt='{html.escape(self.alt)}' src='data:image/jpeg;base64,{data}'>"

    def text(self) -> str:
        return ""


@dataclass
class Printed:
    """A block only the printed page has (HTML, and the PDF made from it): left out of Markdown and text."""

    block: Block

    @property
    def css(self) -> str:
        return self.block.css

    def markdown(self, out: Markdown) -> str:
        return ""

    def html(self, chart: ChartHook) -> str:
        return self.block.html(chart)

    def text(self) -> str:
        return ""


@dataclass
class Section:
    """Blocks under a heading of ``level`` (2: a section, 3: a part of the one before); no heading: none shown."""

    heading: str = ""
    blocks: list[Block] = field(default_factory=list)
    level: int = 2


@dataclass
class Document:
    """A titled report; with no title (the terminal's text), none is shown."""

    title: str = ""
    sections: list[Section] = field(default_factory=list)

    @property
    def blocks(self) -> list[Block]:
        return [b for s in self.sections for b in s.blocks]


def to_markdown(doc: Document, chart_dir: Path | None = None, chart_prefix: str = "") -> str:
    """Markdown, a blank line between pieces; charts are written as SVG files in ``chart_dir`` and linked."""
    out = Markdown(chart_dir, chart_prefix)
    pieces = [f"# {doc.title}"] if doc.title else []
    for s in doc.sections:
        if s.heading:
            pieces.append(f"{'#' * s.level} {s.heading}")
        pieces += [m for b in s.blocks if (m := b.markdown(out))]
    return "\n\n".join(pieces) + "\n"


def to_html(doc: Document, chart: ChartHook = inline) -> str:
    """One page; charts inline as SVG, or through ``chart`` (the PDF writer passes rendered pictures)."""
    rules = "".join(f" {rule}" for rule in dict.fromkeys(b.css for b in doc.blocks) if rule)
    title = html.escape(doc.title)
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>", STYLE + rules,
             f"</style></head><body><h1>{title}</h1>"]
    for s in doc.sections:
        if s.heading:
            parts.append(f"<h{s.level}>{html.escape(s.heading)}</h{s.level}>")
        parts += [m for b in s.blocks if (m := b.html(chart))]
    parts.append("</body></html>")
    return "\n".join(parts)


def to_text(doc: Document) -> str:
    """For a terminal: the title and headings as lines, the tables padded to columns, no charts or pictures."""
    pieces = [doc.title] if doc.title else []
    for s in doc.sections:
        if s.heading:
            pieces.append(s.heading)
        pieces += [t for b in s.blocks if (t := b.text())]
    return "\n".join(pieces)
