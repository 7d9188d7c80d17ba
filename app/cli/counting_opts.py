"""``model-picker run --track --line … --zone … --events …``: counting on the command line.

The options become a ``Counter`` (app/inference/counting/analyzers.py) before the model
is loaded, so a bad line or zone is reported at once, with the option that
holds it, and no time is spent loading a model that cannot count.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from model_picker.cli.errors import CliError

if TYPE_CHECKING:
    from model_picker.inference.counting.analyzers import Counter
    from model_picker.inference.media.export import EventsWriter

COORDINATES = ("values all at most 1 are normalised (0..1 of the frame's width and height), "
               "otherwise pixels of the source frame")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--track", action="store_true", help="track objects (ByteTrack): IDs, trails, counting")
    p.add_argument("--line", action="append", default=[], metavar="x1,y1,x2,y2",
                   help=f"count crossings of this line (repeatable; implies --track); {COORDINATES}; "
                        "'in' is crossing to the right of the line seen from its first point")
    p.add_argument("--zone", action="append", default=[], metavar='"x,y x,y x,y …"',
                   help=f"count objects inside this polygon (repeatable; implies --track); {COORDINATES}")
    p.add_argument("--counting", metavar="FILE.yaml", help="lines and zones saved from the window (normalised)")
    p.add_argument("--events", metavar="FILE.csv|.jsonl",
                   help="write each line crossing and zone entry/exit (frame, time, track id, class, line or zone, "
                        "direction)")


def frame_size(reader: Any) -> tuple[int, int] | None:
    """The source's frame size (width, height), when it is known before the first frame."""
    import cv2

    capture = getattr(reader, "capture", None)
    if capture is not None:
        width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        return (width, height) if width and height else None
    image = getattr(reader, "image", None)
    return (image.shape[1], image.shape[0]) if image is not None else None


def counter_from_args(args: argparse.Namespace, task: Any, reader: Any) -> Counter | None:
    """The counter the options ask for (None without any), or CliError naming the bad option."""
    if not (args.track or args.line or args.zone or args.counting or args.events):
        return None
    from model_picker.inference.counting.analyzers import (
        Counter,
        CountingError,
        CountingSetup,
        detector_reason,
        parse_line,
        parse_zone,
    )

    reason = detector_reason(task)
    if reason:
        raise CliError(f"{args.name}: {reason}")
    size = frame_size(reader)
    try:
        base = CountingSetup.load_yaml(args.counting) if args.counting else CountingSetup()
        # Messages name the option ("--line 2"); the summary and events the line ("line 2").
        lines = [replace(parse_line(text, f"--line {i + 1}", size), name=f"line {len(base.lines) + i + 1}")
                 for i, text in enumerate(args.line)]
        zones = [replace(parse_zone(text, f"--zone {i + 1}", size), name=f"zone {len(base.zones) + i + 1}")
                 for i, text in enumerate(args.zone)]
    except CountingError as exc:
        raise CliError(str(exc)) from None
    return Counter(CountingSetup(base.lines + tuple(lines), base.zones + tuple(zones), True))


def open_events(args: argparse.Namespace) -> EventsWriter | None:
    from model_picker.inference.media.export import EventsWriter

    return EventsWriter(args.events) if args.events else None
