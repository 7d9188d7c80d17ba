"""Frames in and out: sources, image decoding, the shapes drawn over results, and the files a run writes."""
