"""The pieces every report chart is drawn with: one size, axes with a grid, labels beside marker lines.

Charts are plain SVG (no plotting dependency, sharp on paper, shown by a
browser, the window's viewer and, rendered by Qt, the PDF); the validation and
comparison charts share these so they look alike.
"""

from __future__ import annotations

import html

W, H, PAD = 560, 220, 42
LABEL_STEP = 14  # one text line of the 11 px font: labels of close markers get a row each


def svg_open(width: float, height: float) -> list[str]:
    """The opening tag and white background of a chart ``width`` × ``height``."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
            f'<rect width="{width}" height="{height}" fill="white"/>']


def axes(title: str, x_label: str, y_label: str, x_max: float, y_max: float) -> list[str]:
    """An open W × H chart: title, both axes with five ticks each and a light grid; close it with ``</svg>``."""
    parts = [*svg_open(W, H),
             f'<text x="{W / 2}" y="14" text-anchor="middle" font-size="13">{html.escape(title)}</text>',
             f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 10}" y2="{H - PAD}" stroke="#333"/>',
             f'<line x1="{PAD}" y1="24" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
             f'<text x="{W / 2}" y="{H - 8}" text-anchor="middle">{html.escape(x_label)}</text>',
             f'<text x="12" y="{H / 2}" text-anchor="middle" transform="rotate(-90 12 {H / 2})">'
             f'{html.escape(y_label)}</text>']
    for i in range(5):
        fx, fy = i / 4, i / 4
        x = PAD + fx * (W - 10 - PAD)
        y = H - PAD - fy * (H - PAD - 24)
        parts.append(f'<text x="{x:.0f}" y="{H - PAD + 14}" text-anchor="middle">{x_max * fx:.3g}</text>')
        parts.append(f'<text x="{PAD - 4}" y="{y + 4:.0f}" text-anchor="end">{y_max * fy:.3g}</text>')
        parts.append(f'<line x1="{PAD}" y1="{y:.0f}" x2="{W - 10}" y2="{y:.0f}" stroke="#eee"/>')
    return parts


def marker_label(x: float, y: float, text: str, colour: str) -> str:
    """A label beside its marker line on a white backing, kept inside the plot (left of the line near the edge).

    Marker lines are often a few pixels apart, so callers give each label its
    own row (``LABEL_STEP`` apart) and the labels never overlap.
    """
    width = len(text) * 6.5 + 6
    left = x + 3 if x + 3 + width <= W - 10 else x - 3 - width
    return (f'<rect x="{left - 2:.1f}" y="{y - 10:.1f}" width="{width:.1f}" height="13" fill="white" stroke="none" '
            f'fill-opacity="0.85"/><text x="{left:.1f}" y="{y:.1f}" fill="{colour}">{html.escape(text)}</text>')
