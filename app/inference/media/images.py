"""Decoding one image without letting a huge one take the machine's memory.

The size is read from the PNG, JPEG or BMP header before anything is decoded.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np


class SourceError(Exception):
    """A source that cannot be opened or read, with the location and the reason."""


# Images above this many pixels are not decoded at full size: a 20000x20000 PNG is 1.2 GB of BGR
# pixels, more at the decoder's peak. JPEGs are decoded reduced (libjpeg scales while decoding, cheap);
# other formats are refused, as OpenCV would decode them at full size before any resize.
MAX_IMAGE_PIXELS = 50_000_000


def header_size(path: Path) -> tuple[int, int] | None:
    """(width, height) read from a PNG, JPEG or BMP header without decoding; None if unknown."""
    try:
        with path.open("rb") as handle:
            head = handle.read(26)
            if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR":
                return struct.unpack(">II", head[16:24])
            if head[:2] == b"BM" and len(head) >= 26:
                width, height = struct.unpack("<ii", head[18:26])
                return abs(width), abs(height)
            if head[:2] == b"\xff\xd8":
                return _jpeg_size(handle)
    except (OSError, struct.error):
        return None
    return None


def _jpeg_size(handle: BinaryIO) -> tuple[int, int] | None:
    """Walk the JPEG markers to the first start-of-frame (SOF0..SOF15 but DHT/JPG/DAC)."""
    handle.seek(2)
    while True:
        marker = handle.read(2)
        if len(marker) < 2 or marker[0] != 0xFF:
            return None
        kind = marker[1]
        if kind in (0xD8, 0x01) or 0xD0 <= kind <= 0xD7:
            continue
        length = struct.unpack(">H", handle.read(2))[0]
        if 0xC0 <= kind <= 0xCF and kind not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">xHH", handle.read(5))
            return width, height
        handle.seek(length - 2, 1)


_REDUCED = ((2, cv2.IMREAD_REDUCED_COLOR_2), (4, cv2.IMREAD_REDUCED_COLOR_4), (8, cv2.IMREAD_REDUCED_COLOR_8))


def read_image(path: Path, note: Callable[[str], None] | None = None) -> np.ndarray:
    """Decode one image, guarding memory: a huge JPEG is decoded reduced, other huge files refused."""
    flag = cv2.IMREAD_COLOR
    size = header_size(path)
    if size is not None and size[0] * size[1] > MAX_IMAGE_PIXELS:
        width, height = size
        megapixels = width * height / 1e6
        limit = MAX_IMAGE_PIXELS / 1e6
        factor = next(((f, fl) for f, fl in _REDUCED if width * height / (f * f) <= MAX_IMAGE_PIXELS), None)
        if path.suffix.lower() not in (".jpg", ".jpeg") or factor is None:
            raise SourceError(f"{path}: {width}x{height} pixels ({megapixels:.0f} MP) is over the {limit:.0f} MP "
                              "limit for one image: refused (decoding it would take "
                              f"{width * height * 3 / 1e9:.1f} GB); scale it down first")
        flag = factor[1]
        if note is not None:
            note(f"{path.name}: {width}x{height} pixels ({megapixels:.0f} MP) is over the {limit:.0f} MP limit: "
                 f"decoded at 1/{factor[0]} size ({width // factor[0]}x{height // factor[0]})")
    image = cv2.imread(str(path), flag)
    if image is None:
        raise SourceError(f"{path}: cannot decode the image (corrupt or unsupported format)")
    return image
