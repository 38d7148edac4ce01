"""``python -m passport_tui.cli``: the ``passport`` command."""

from . import main

main()
