"""``python -m model_picker`` is the ``model-picker`` command."""

from .cli.main import main

main()
