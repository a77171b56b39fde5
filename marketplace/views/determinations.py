"""Determinations, agreements, publishing results, milestone reports and the proposal timeline."""
