"""What every screen needs, passed in explicitly (no module-level singletons)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mgso4.core.episode import Actor, EpisodeState, Event, EventDraft, ProtocolRef
from mgso4.core.protocol import PreparationSet, Protocol, ProtocolError, ProtocolLibrary
from mgso4.settings import Settings
from mgso4.storage import Store


def system_clock() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class EpisodeProtocol:
    """The protocol used to show an existing episode, and a warning if it is not exactly the
    one the episode started with (same id, different content hash, or not found)."""

    protocol: Protocol
    warning: str | None = None


@dataclass
class AppContext:
    """The open record, the protocol for new episodes, settings, the clock and the user.

    ``user`` is remembered for the shift once given (the wizard's first page asks only when
    it is None). ``clock`` is injectable so tests control time without sleeping.
    """

    store: Store
    protocol: Protocol
    preparations: PreparationSet
    library: ProtocolLibrary
    settings: Settings
    training: bool = False
    clock: Callable[[], datetime] = system_clock
    user: Actor | None = None
    listeners: list[Callable[[], None]] = field(default_factory=list)
    #: Where settings are saved (None: the platform default, ``mgso4.settings.settings_path``).
    settings_path: Path | None = None
    #: When the last entry was committed (UTC), for the "Saved HH:MM" status line.
    last_saved_at: datetime | None = None
    _protocol_cache: dict[tuple[str, str], EpisodeProtocol] = field(
        default_factory=dict, repr=False
    )

    @property
    def tz(self) -> ZoneInfo:
        """The display time zone (Europe/London by default)."""
        return ZoneInfo(self.settings.timezone)

    @property
    def protocol_ref(self) -> ProtocolRef:
        """The protocol for new episodes."""
        return ProtocolRef(
            id=self.protocol.id, version=self.protocol.version, sha256=self.protocol.sha256
        )

    def protocol_for(self, protocol_id: str, sha256: str) -> Protocol:
        """The protocol an existing episode started with (by id; hash checked by the caller)."""
        if protocol_id == self.protocol.id and sha256 == self.protocol.sha256:
            return self.protocol
        return self.library.load(protocol_id)

    def episode_protocol(self, state: EpisodeState) -> EpisodeProtocol:
        """The protocol to show an episode with, never raising.

        The episode's own protocol (by id) when its file still has the same content hash;
        otherwise the best available one with a warning that says so, because due times and
        stop triggers would then come from a different version of the rules.
        """
        key = (state.protocol_id, state.protocol_sha256)
        cached = self._protocol_cache.get(key)
        if cached is not None:
            return cached
        try:
            protocol = self.protocol_for(state.protocol_id, state.protocol_sha256)
        except ProtocolError:
            protocol = None
        if protocol is None and state.protocol_id == self.protocol.id:
            protocol = self.protocol
        if protocol is None:
            result = EpisodeProtocol(
                self.protocol,
                f"This episode started under protocol {state.protocol_id} "
                f"{state.protocol_version}, which cannot be found now; due times and checks "
                f"below use {self.protocol.id} {self.protocol.version}. Check with the "
                "protocol owner.",
            )
        elif protocol.sha256 != state.protocol_sha256:
            result = EpisodeProtocol(
                protocol,
                f"This episode started under protocol {state.protocol_id} "
                f"{state.protocol_version} (hash {state.protocol_sha256[:12]}); that file has "
                f"changed since (now {protocol.version}, hash {protocol.short_hash}). Due "
                "times and checks below use the file as it is now.",
            )
        else:
            result = EpisodeProtocol(protocol)
        self._protocol_cache[key] = result
        return result

    def episode_protocol_ref(self, state: EpisodeState) -> ProtocolRef:
        """The protocol reference recorded on an episode's later events: the one it began with."""
        return ProtocolRef(
            id=state.protocol_id, version=state.protocol_version, sha256=state.protocol_sha256
        )

    def record(
        self,
        drafts: Sequence[EventDraft],
        protocol: Protocol | ProtocolRef,
        *,
        protocols: Mapping[str, Protocol] | None = None,
    ) -> list[Event]:
        """Append entries in one transaction, then tell listeners (after the COMMIT).

        ``protocol`` is the one in force for the episode: the store checks the entries
        against its rules (``core.actions``); entries outside any episode may pass its ref.
        ``protocols`` gives other episodes' protocols when one transaction spans several.

        Raises:
            StoreError: nothing was saved; the message is for the user.
        """
        if len(drafts) == 1 and protocols is None:
            events = [self.store.append(drafts[0], protocol)]
        else:
            events = self.store.append_many(list(drafts), protocol, protocols=protocols)
        self.changed()
        return events

    def add_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener()`` after every commit."""
        self.listeners.append(listener)

    def remove_listener(self, listener: Callable[[], None]) -> None:
        """Stop calling ``listener`` (no error if it was not registered)."""
        if listener in self.listeners:
            self.listeners.remove(listener)

    def changed(self) -> None:
        """Tell every listener that the record changed (call only after a COMMIT)."""
        self.last_saved_at = self.clock()
        for listener in list(self.listeners):
            listener()
