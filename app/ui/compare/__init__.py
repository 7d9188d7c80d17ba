"""The compare window: two to four contenders side by side on one source."""
