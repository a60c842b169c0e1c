"""What every screen needs, passed in explicitly (no module-level singletons)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from mgso4.core.episode import Actor, ProtocolRef
from mgso4.core.protocol import PreparationSet, Protocol, ProtocolLibrary
from mgso4.settings import Settings
from mgso4.storage import Store


def system_clock() -> datetime:
    """Now, as an aware UTC datetime."""
    return datetime.now(UTC)


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

    def changed(self) -> None:
        """Tell every listener that the record changed (after a COMMIT)."""
        for listener in list(self.listeners):
            listener()
