"""The audit screen (issue #6): metric tiles, cases behind each number, charts, exports, merge."""

from __future__ import annotations

from mgso4.gui.audit.view import AuditView

__all__ = ["AuditView"]
