"""Generated Designer forms (ui_*.py) — do not edit; see forms/*.ui."""
