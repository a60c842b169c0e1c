"""The new-episode wizard (issue #4): page order from ``core.flow``, every page by keyboard.

Public API: :class:`NewEpisodeWizard` ``(context, parent=None)`` with
``sig_episode_saved(str)``.
"""

from __future__ import annotations

from mgso4.gui.wizard.wizard import NewEpisodeWizard

__all__ = ["NewEpisodeWizard"]
