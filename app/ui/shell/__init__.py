"""The main window's frame: the window, menus, toolbar, log, settings, file and host controllers, the worker base."""
