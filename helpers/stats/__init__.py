"""Is a difference real, and how sure is a figure: significance tests and Holm's correction
(``significance``), and a figure's spread over random seeds (``spread``)."""
