"""Each notebook's findings in one call: the findings table and the conclusions, written from the
notebook's results, its tested comparisons and what its studies chose. A notebook's findings cell
calls its function here and nothing else."""

from .cifar10 import baseline, regularised
from .cifar100 import budget, hierarchy
from .eurosat import fusion, transfer
from .overview import eda, summary

__all__ = ["baseline", "budget", "eda", "fusion", "hierarchy", "regularised", "summary",
           "transfer"]
