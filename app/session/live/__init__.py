"""One live run: the lifecycle of a model over a source, photos inferred once, and the files it writes."""
