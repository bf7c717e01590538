"""``python -m service.cli``: the ``policyqa`` command without its console script."""

from service.cli import main

main()
