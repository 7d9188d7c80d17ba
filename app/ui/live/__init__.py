"""The live view: source picker, run controls, the video pane with its overlay and HUD, presentation mode."""
