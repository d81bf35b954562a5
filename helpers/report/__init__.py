"""The report layer: what a notebook shows, so that each cell reads as what it shows - its preamble
and text (``notebook``), tables (``tables``), the findings that open its PDF (``headline``), every
generated sentence (``sentences``), diagnostics (``diagnostics``), figures (``plots``) and the
run's summary (``run_summary``)."""

from .headline import findings, findings_table
from .notebook import bullets, model_summary, show_source, start, text
from .tables import (differences_table, recipe_comparison, recipes_chart, results_table,
                     seeds_table, table, trials_table, welch_table)

__all__ = ["bullets", "differences_table", "findings", "findings_table", "model_summary",
           "recipe_comparison", "recipes_chart", "results_table", "seeds_table", "show_source",
           "start", "table", "text", "trials_table", "welch_table"]
