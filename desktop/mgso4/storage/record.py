"""One record interface, two places a record can live.

* An embedded SQLite file (the default; ``storage.store.Store``): one computer's record.
* A PostgreSQL server (``storage.server.store.ServerStore``): the unit record every ward PC
  shares, named by a libpq URI (``postgresql://host/dbname``).

Both are reached through :func:`open_record`; both satisfy :class:`RecordStore`, and both
enforce the same rules (``core.actions`` through ``Store.append_many``), the same hash chains
and the same signatures (``storage.signing``): the server store is the SQLite store's code
speaking to another database, not a copy of it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from mgso4.storage.spec import (
    SERVER_SCHEMES,
    RecordSpec,
    ServerLocation,
    display_spec,
    is_server_spec,
    server_location,
    spec_path,
)
from mgso4.storage.store import Store

__all__ = [
    "SERVER_SCHEMES",
    "RecordSpec",
    "RecordStore",
    "display_spec",
    "is_server_spec",
    "open_record",
    "server_location",
    "spec_path",
]

if TYPE_CHECKING:
    from mgso4.core.episode import EpisodeState, Event, EventDraft, ProtocolRef
    from mgso4.core.protocol import Protocol as ClinicalProtocol
    from mgso4.storage.signing import Anchors, ChainPoint, Registration
    from mgso4.storage.verify import VerifyReport


@runtime_checkable
class RecordStore(Protocol):
    """What every record offers the app, whichever database holds it."""

    path: Path
    workstation_id: str
    readonly: bool

    def append(
        self, draft: EventDraft, protocol: ClinicalProtocol | ProtocolRef
    ) -> Event: ...  # pragma: no cover

    def append_many(
        self,
        drafts: Sequence[EventDraft],
        protocol: ClinicalProtocol | ProtocolRef,
        *,
        protocols: Mapping[str, ClinicalProtocol] | None = None,
    ) -> list[Event]: ...  # pragma: no cover

    def events(self, episode_uuid: str) -> list[Event]: ...  # pragma: no cover

    def event(self, event_uuid: str) -> Event | None: ...  # pragma: no cover

    def episode(self, episode_uuid: str) -> EpisodeState: ...  # pragma: no cover

    def episode_uuids(self, *, active_only: bool = False) -> list[str]: ...  # pragma: no cover

    def episode_states(self) -> list[EpisodeState]: ...  # pragma: no cover

    def iter_events(self) -> Iterator[Event]: ...  # pragma: no cover

    def chain_head(self, workstation_id: str | None = None) -> str: ...  # pragma: no cover

    def counts(self) -> dict[str, int]: ...  # pragma: no cover

    def verify(self, anchors: Anchors | None = None) -> VerifyReport: ...  # pragma: no cover

    def registrations(self) -> list[Registration]: ...  # pragma: no cover

    def chain_points(self) -> list[ChainPoint]: ...  # pragma: no cover

    def backup(self, folder: Path, *, keep: int = ...) -> Path: ...  # pragma: no cover

    def close(self) -> None: ...  # pragma: no cover

    def __enter__(self) -> Any: ...  # pragma: no cover

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...  # pragma: no cover


def open_record(spec: RecordSpec, **options: Any) -> Store:
    """Open a record wherever it lives: a SQLite file path, or a ``postgresql://`` URI.

    The options are :meth:`Store.open`'s (``readonly``, ``backup_dir``, ``workstation_id``,
    ``clock``, ``keys`` …); those that only mean something for a file are ignored for a server.

    Raises:
        StoreError: the specific subclass, with a message for the user.
    """
    if is_server_spec(spec):
        from mgso4.storage.server.store import ServerStore

        uri = spec.uri if isinstance(spec, ServerLocation) else str(spec).strip()
        return ServerStore.open_uri(uri, **options)
    return Store.open(Path(spec), **options)
