"""``python -m app`` is the ``model-picker`` command."""

from app.cli.main import main

main()
