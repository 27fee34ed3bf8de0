"""What must be true: switching values, goal seek on a statistic, global (Sobol) sensitivity.

Everything here runs on common random numbers (``evaluator``) and is pure core: no Qt.
Definitions of each result are in ``docs/whatif.md``.
"""
