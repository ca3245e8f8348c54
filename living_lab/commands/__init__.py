"""Subcommands of ``living-lab``; see :mod:`living_lab.cli`."""
