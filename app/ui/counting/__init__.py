"""Counting in the window: lines and zones drawn and edited on the video, counts and events."""
