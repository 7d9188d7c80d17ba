"""Accuracy on labelled images, on degirum_tools' own evaluators (Qt-free)."""
