"""The new-episode wizard (issue #4): page order from ``core.flow``, every page by keyboard."""

from __future__ import annotations

from mgso4.gui.wizard.wizard import NewEpisodeWizard

__all__ = ["NewEpisodeWizard"]
