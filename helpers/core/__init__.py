"""What every step stands on: the run and its profiles (``config``), the paths of its reports
(``paths``) and what it records (``records``), how passes over the data run (``passes``), what
differs on a GPU (``device``) and progress for the person waiting (``progress``)."""
