"""Validate in the window: its controller, the dialog, the worker, the report dialog and the PDF writer."""
