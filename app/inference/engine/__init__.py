"""Loading a model on a host and running it over frames: the pipeline, its figures and PySDK's errors."""
