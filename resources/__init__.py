"""Bundled demo material (zoo, media, photos, icons), installed as ``model_picker.resources``."""
