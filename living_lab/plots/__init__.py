"""Figures: one module per topic (report, trends, linkage, peers), sharing :mod:`.style`."""
