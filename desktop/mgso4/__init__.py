"""MgSO₄ Preterm Proforma: bedside decision support, episode record and audit."""

from __future__ import annotations

__version__ = "0.1.0"
