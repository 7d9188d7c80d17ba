"""``python -m model_picker`` is the ``model-picker`` command."""

from model_picker.cli.main import main

main()
