"""The report layer: what a notebook shows, so that each cell reads as what it shows - its preamble
and text (``notebook``), tables (``tables``), charts (``charts``), the findings that open its PDF
(``headline``) and each notebook's conclusions (``conclusions``), every generated sentence
(``sentences``) in one set of formats (``formats``) and names (``names``), diagnostics
(``diagnostics``), figures (``plots``) and the run's summary (``run_summary``)."""

from . import budget, conclusions, hierarchy, names, sentences, studies, summary_pages
from .charts import recipes_chart
from .headline import findings, findings_table
from .notebook import bullets, show_source, start, text
from .tables import (family_table, layers_table, recipes_table, results_table, seeds_table,
                     split_sizes, table, trials_table)

__all__ = ["budget", "bullets", "conclusions", "hierarchy", "names", "sentences", "studies", "summary_pages", "family_table", "findings", "findings_table", "layers_table",
           "recipes_chart", "recipes_table", "results_table", "seeds_table", "show_source",
           "split_sizes", "start", "table", "text", "trials_table"]
