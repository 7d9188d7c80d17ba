"""A comparison of two to four contenders on one source: the runner, its feeds, events, drawing and report."""
