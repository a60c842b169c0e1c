"""The one base of every pydantic model in ``core`` (and the settings): built on first use.

pydantic builds a model's validator and serializer when its class is created. Built at import,
the forty-odd models of ``core`` cost about a tenth of a second and twenty megabytes before the
ward board can paint, although an empty board uses only the protocol's and the settings' models
and a board of running infusions only the folded state's. With ``defer_build`` each model is
built the first time it validates, serialises or is asked for its schema, so the start-up pays
only for the models it uses. Behaviour is unchanged: the same validators run, the same errors
are raised (``tests/core/test_model_base.py``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class CoreModel(BaseModel):
    """A pydantic model whose validator is built on its first use, not at import."""

    model_config = ConfigDict(defer_build=True)
