"""What the GUI tests, the benchmarks and the screenshot scripts drive the app with (not shipped).

* ``demo``: a context with a fresh record and a clock moved only by hand;
* ``episodes``: demo episodes' first entries, as the app records them;
* ``budget``: the standard case driven by keyboard from the main window, inputs counted.

The tests find it beside them (``tests/gui``); ``bench/`` and ``tools/screenshots/`` put
``tests/gui`` on the import path first.
"""
