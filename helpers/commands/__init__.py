"""Commands, each run as ``python -m helpers.commands.<name>``: ``bench`` (the input pipelines'
throughput), ``gpu_check`` (a nine-minute check of the full profile's cost on a GPU machine
without network) and ``fashion_mnist`` (notebooks 02 and 03's recipes on real images)."""
