"""Validate in the window: the dialog, its worker, the report dialog and the PDF writer."""
