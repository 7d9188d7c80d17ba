"""The Qt-free session layer both front ends drive: what to run where, and one run's lifecycle.

``plan`` turns a registry entry and a host into a runnable ModelSpec (fitted to
the host, fetched when it must be). The command line and the window call this
layer instead of wiring registry → host → fetch → model → pipeline themselves.
"""
