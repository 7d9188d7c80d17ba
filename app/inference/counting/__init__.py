"""Counting lines and zones on degirum_tools' analyzers: the setup, live counting, drawing and editing."""
