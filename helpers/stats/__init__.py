"""Is a difference real, and how sure is a figure: significance tests and Holm's correction
(``significance``), the bootstrap over random seeds and test images (``bootstrap``), a notebook's
family of tested comparisons (``family``) and a figure's spread over random seeds with the goal's
verdict (``spread``)."""

from .bootstrap import RESAMPLES, goal_verdict, mean_interval
from .family import Family
from .spread import spread_by_recipe

__all__ = ["Family", "RESAMPLES", "goal_verdict", "mean_interval", "spread_by_recipe"]
