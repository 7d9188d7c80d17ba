"""The Qt-free session layer both front ends drive: what to run where, and one run's lifecycle.

``plan`` turns a registry entry and a host into a runnable ModelSpec (fitted to
the host, fetched when it must be); ``live.run`` owns one run (source, model
context, pipeline, the stall rule, controls given before it starts) and writes
its files through ``live.outputs``; ``live.stills`` is a run's photo half (each
image inferred once); ``compare`` runs two to four contenders on one source;
``state`` is what the user has chosen (catalogue, defaults, query, selection,
host devices); ``validation`` is a whole validation, models × hosts. The command
line and the window call this layer instead of wiring registry → host → fetch →
model → pipeline themselves.
"""
