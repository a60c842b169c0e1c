"""The new-episode wizard (issue #4): page order from ``core.flow``, every page by keyboard.

Public API:

* :class:`NewEpisodeWizard` ``(context, parent=None)`` with ``sig_episode_saved(str)``;
* :func:`screenshot_pages` ``(context, out_dir) -> list[Path]`` for the screenshots script;
* ``mgso4.gui.wizard.budget.run_standard_case(driver, ...)`` for the input-budget benchmark.
"""

from __future__ import annotations

from mgso4.gui.wizard.screenshots import screenshot_pages
from mgso4.gui.wizard.wizard import NewEpisodeWizard

__all__ = ["NewEpisodeWizard", "screenshot_pages"]
