"""The run machinery, apart from what notebooks import: the command behind run_all.sh
(``pipeline``), the notebooks' parameters (``parameters``), one notebook's execution
(``execution``), the PDF (``print_order``, ``export``) and the rehearsal's estimate
(``rehearsal``)."""
