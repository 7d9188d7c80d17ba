"""The catalogue side: the model table, the filter panel, the details pane and the model cache dialog."""
