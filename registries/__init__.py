"""Bundled registries, installed as ``model_picker.registries``."""
