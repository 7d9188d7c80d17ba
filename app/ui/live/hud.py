"""The HUD: what it says (compact in the window, large in presentation mode) and where it goes.

The run side fills a ``HudInfo`` from the worker's figures; the video view
decides the lines. Presentation mode is for customers: model, device, host and
FPS in large type, without the pacing figure (frames a demo video skips are a
choice of pacing, not a fault) or engineering detail.
"""

from __future__ import annotations

from dataclasses import dataclass

from model_picker.ui.live.overlay_painter import CORNERS

DEFAULT_CORNER = "bottom-left"
CORNER_NAMES = {"top-left": "Top Left", "top-right": "Top Right", "bottom-left": "Bottom Left",
                "bottom-right": "Bottom Right"}
assert set(CORNER_NAMES) == set(CORNERS)


@dataclass(frozen=True)
class HudInfo:
    model: str = ""
    device: str = ""
    host: str = ""
    fps: float = 0.0
    latency_p50_ms: float = 0.0
    latency_p95_ms: float = 0.0
    glass_ms: float = 0.0  # capture -> painted, p50; 0 when unknown
    skipped: int = 0  # real-time pacing of a file
    late: int = 0  # the device could not keep up with a live source
    still: tuple[str, ...] = ()  # a photo inferred once: which image, what was found (no frame rate)
    warnings: tuple[str, ...] = ()  # a class filter hiding every class, another model selected: in every mode

    def lines(self, presentation: bool = False) -> list[str]:
        return [*self._lines(presentation), *(f"⚠ {warning}" for warning in self.warnings)]

    def _lines(self, presentation: bool) -> list[str]:
        where = " · ".join(part for part in (self.device, self.host) if part)
        if self.still:
            return [line for line in (self.model, where, *self.still[: 2 if presentation else None]) if line]
        if presentation:
            lines = [self.model, where, f"{self.fps:.1f} FPS"]
            if self.late:
                lines.append(f"{self.late} frames lost: the device could not keep up")
            return [line for line in lines if line]
        speed = f"{self.fps:.1f} FPS · p50 {self.latency_p50_ms:.0f} ms · p95 {self.latency_p95_ms:.0f} ms"
        if self.glass_ms:
            speed += f" · glass {self.glass_ms:.0f} ms"
        lines = [self.model, where, speed]
        drops = []
        if self.skipped:
            drops.append(f"{self.skipped} skipped (real-time pacing)")
        if self.late:
            drops.append(f"{self.late} lost (device too slow)")
        if drops:
            lines.append(" · ".join(drops))
        return [line for line in lines if line]


def corner_setting(value: object) -> str:
    """A stored corner, or the default for anything else (a hand-edited settings file)."""
    return value if isinstance(value, str) and value in CORNERS else DEFAULT_CORNER
