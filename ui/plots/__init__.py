"""Result plots: pure matplotlib figure functions (``figures``) and their Qt canvas (``canvas``)."""
