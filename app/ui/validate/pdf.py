"""A validation report as PDF, printed with Qt (QTextDocument → QPdfWriter), so no PDF dependency.

It prints the report's own HTML. QTextDocument cannot draw inline SVG, so each
chart is rendered by QSvgRenderer into a picture at print resolution and handed
to the document as an image resource. Works without a display (the CLI):
offscreen, with a QGuiApplication made if none exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from model_picker.atomic import write_bytes
from model_picker.inference.validation.fleet import Report
from model_picker.inference.validation.measure import ValidationResult
from model_picker.inference.validation.report import as_report, to_html

CHART_SCALE = 3  # pixels per SVG unit: sharp on paper


def write_pdf(results: Report | list[ValidationResult], path: Path) -> Path:
    """Write the report as an A4 PDF with page numbers; returns ``path``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSizeF, QUrl
    from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # fonts need an application
    document = QTextDocument()
    images: dict[str, QImage] = {}

    def picture(name: str, svg: str) -> str:
        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        size = renderer.defaultSize()
        image = QImage(size.width() * CHART_SCALE, size.height() * CHART_SCALE, QImage.Format.Format_RGB32)
        image.fill(0xFFFFFF)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        images[name] = image
        return f"<img src='{name}' width='{size.width()}' height='{size.height()}'>"

    markup = to_html(as_report(results), image=picture)
    for name, image in images.items():
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
    document.setHtml(markup)
    # Qt does not report a failed write (a full disk leaves a truncated PDF): it writes to memory,
    # and the bytes go to the file whole or not at all (OutputError: model_picker.atomic).
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle("Validation report")
    writer.setCreator("Model Picker")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter))
    writer.setResolution(150)
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    document.print_(writer)
    del writer  # the PDF is complete in the buffer
    return write_bytes(path, bytes(buffer.data()))
