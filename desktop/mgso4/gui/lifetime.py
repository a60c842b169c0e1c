"""How a dialog ends: deleted when it closes, and forgotten by whoever kept a reference.

A ward PC runs the app all day. A dialog created with a parent and never deleted stays alive
with its parent: every cancelled wizard, closed print preview (its PDF document, its render
thread and file descriptor) and closed observation form would pile up for the whole shift.
:func:`delete_on_close` marks a dialog ``WA_DeleteOnClose`` (Qt deletes it after ``done()`` or
``close()``, once control returns to the event loop, so slots connected to ``finished`` still
see it) and, when the owner keeps it in an attribute, sets that attribute back to None once the
dialog is destroyed, so nothing later touches a deleted object.
"""

from __future__ import annotations

import weakref
from typing import TypeVar

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QWidget

_W = TypeVar("_W", bound=QWidget)


def delete_on_close(dialog: _W, owner: object | None = None, *attributes: str) -> _W:
    """Delete ``dialog`` when it closes; then clear ``owner.<attribute>`` that still holds it.

    Args:
        dialog: The dialog (or window) to delete when it closes.
        owner: The object keeping references to it, if any (held weakly).
        attributes: The owner's attributes that may hold the dialog.

    Returns:
        The dialog, for chaining.
    """
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    if owner is not None and attributes:
        owner_ref = weakref.ref(owner)
        dialog_id = id(dialog)

        def _forget(_obj: QObject | None = None) -> None:
            kept = owner_ref()
            if kept is None:
                return
            for name in attributes:
                if id(getattr(kept, name, None)) == dialog_id:
                    setattr(kept, name, None)

        dialog.destroyed.connect(_forget)
    return dialog
