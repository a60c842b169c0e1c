"""The scripting front end: ``record`` (JSON Lines of actions), ``episode`` and ``episodes``.

A contract for tests, integrations and audits (docs/scripting.md). Every line is turned into
entries by ``core.actions`` (the same registry the screen uses) and checked against the
episode's rules before anything is written; the store checks them again as it saves. The whole
input is one transaction: every line is recorded, or none (exit 2, one line naming the line
number and the rule). This module holds no rule of its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid as uuid_module
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mgso4.cli.common import (
    EXIT_OK,
    EXIT_PROBLEM,
    UsageError,
    db_path,
    existing_record,
    now,
    parse_datetime,
    print_json,
    protocol_library,
)

if TYPE_CHECKING:
    from mgso4.core.episode import EpisodeState, Event, EventDraft
    from mgso4.core.protocol import Protocol, ProtocolLibrary
    from mgso4.storage import Store

#: The fields every line carries; the rest belong to its action.
ENVELOPE = ("action", "episode", "at", "by")


class _Protocols:
    """Protocols by id, loaded once each (an episode keeps the protocol it started with)."""

    def __init__(self, library: ProtocolLibrary) -> None:
        self.library = library
        self._loaded: dict[str, Protocol] = {}

    def get(self, protocol_id: str, argument: str) -> Protocol:
        from mgso4.core.protocol import ProtocolError

        if protocol_id not in self._loaded:
            try:
                self._loaded[protocol_id] = self.library.load(protocol_id)
            except ProtocolError as exc:
                raise UsageError(argument, "; ".join(exc.problems)) from None
        return self._loaded[protocol_id]

    def for_state(self, state: EpisodeState, argument: str) -> Protocol:
        protocol = self.get(state.protocol_id, argument)
        if protocol.sha256 != state.protocol_sha256:
            print(
                f"mgso4: warning: protocol {state.protocol_id} has changed since episode "
                f"{state.uuid} started (hash {state.protocol_sha256[:12]} then, "
                f"{protocol.short_hash} now); its rules are checked with the file as it is now.",
                file=sys.stderr,
            )
        return protocol


# --------------------------------------------------------------------------- record


def _lines(source: str) -> Iterable[tuple[int, str]]:
    if source == "-":
        text = sys.stdin.read()
    else:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError("--file", f"{source} cannot be read ({exc.strerror})") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, line


class _Episode:
    """One episode touched by the input: its committed entries and the new ones so far."""

    def __init__(self, uuid: str, protocol: Protocol, committed: list[Event]) -> None:
        self.uuid = uuid
        self.protocol = protocol
        self.committed = committed
        self.pending: list[Event] = []


def cmd_record(args: argparse.Namespace) -> int:
    """Record JSON Lines of actions in one transaction; print {alias: episode uuid}."""
    from mgso4.core import actions

    if args.schema:
        print_json(actions.schema())
        return EXIT_OK
    from mgso4.storage import RuleRefusedError, StoreError, open_record

    path = db_path(args.db)
    source = args.file
    try:
        with open_record(path) as store:
            drafts, episodes, lines_of, aliases = _plan_all(store, source)
            if not drafts:
                raise UsageError("--file", "no actions to record (the input is empty)")
            default = next(iter(episodes.values())).protocol
            try:
                store.append_many(
                    drafts,
                    default,
                    protocols={uuid: item.protocol for uuid, item in episodes.items()},
                )
            except RuleRefusedError as exc:
                line = lines_of.get(exc.draft_uuid or "", "?")
                raise UsageError(f"line {line}", str(exc)) from None
    except StoreError as exc:
        print(f"mgso4 record: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    print_json(aliases)
    return EXIT_OK


def _plan_all(
    store: Store, source: str
) -> tuple[list[EventDraft], dict[str, _Episode], dict[str, int], dict[str, str]]:
    """Every line's entries, checked as they come (the rules are core's)."""
    from mgso4.cli.common import load_preparations
    from mgso4.core import actions
    from mgso4.core.episode import Actor, fold
    from mgso4.settings import SettingsError, load_settings
    from mgso4.storage import StoreError

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise UsageError("settings", str(exc)) from None
    protocols = _Protocols(protocol_library())
    preparations = load_preparations()
    recorded_at = now()
    aliases: dict[str, str] = {}
    episodes: dict[str, _Episode] = {}
    drafts: list[EventDraft] = []
    lines_of: dict[str, int] = {}
    for number, text in _lines(source):
        where = f"line {number}"
        try:
            line = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(where, f"not JSON ({exc.msg})") from None
        if not isinstance(line, dict):
            raise UsageError(where, "each line is one JSON object")
        try:
            envelope = actions.Envelope.model_validate({k: line.get(k) for k in ENVELOPE})
        except ValueError as exc:
            raise UsageError(where, _first_error(exc)) from None
        fields = {key: value for key, value in line.items() if key not in ENVELOPE}
        at = parse_datetime(envelope.at, f"{where}: at")
        by = Actor(name=envelope.by.name, role=envelope.by.role)
        key = envelope.action
        spec_opens = key in actions.ACTIONS and actions.ACTIONS[key].opens
        if spec_opens:
            alias = envelope.episode
            if alias in aliases or alias in episodes:
                raise UsageError(where, f"episode alias {alias!r} is already used in this input")
            protocol_id = fields.get("protocol") or settings.protocol
            if not isinstance(protocol_id, str):
                raise UsageError(where, "protocol: give the protocol id as text")
            episode = _Episode(str(uuid_module.uuid4()), protocols.get(protocol_id, where), [])
            aliases[alias] = episode.uuid
            episodes[episode.uuid] = episode
            state = None
        else:
            uuid = aliases.get(envelope.episode, envelope.episode)
            episode_or_none = episodes.get(uuid)
            if episode_or_none is None:
                try:
                    committed = store.events(uuid)
                    current = store.episode(uuid) if committed else None
                except StoreError as exc:
                    raise UsageError(where, str(exc)) from None
                if current is None:
                    raise UsageError(
                        where,
                        f"episode {envelope.episode!r} is neither an alias opened earlier in "
                        "this input nor an episode in the record",
                    )
                episode_or_none = _Episode(
                    uuid, protocols.for_state(current, where), list(committed)
                )
                episodes[uuid] = episode_or_none
            episode = episode_or_none
            state = fold([*episode.committed, *episode.pending], until=at)
        context = actions.LineContext(
            episode_uuid=episode.uuid,
            state=state,
            protocol=episode.protocol,
            preparations=preparations,
            at=at,
            by=by,
            unit_name=settings.unit_name,
            preparation_id=settings.default_preparation,
            now=recorded_at,
        )
        try:
            new = actions.plan(key, fields, context)
            actions.check_drafts(
                [*episode.committed, *episode.pending],
                new,
                episode.protocol,
                workstation_id=store.workstation_id,
                recorded_at=recorded_at,
            )
        except actions.ActionRefused as exc:
            raise UsageError(where, f"{key}: {exc}") from None
        seq = max((event.seq for event in [*episode.committed, *episode.pending]), default=0)
        episode.pending += actions.provisional_events(
            new,
            after_seq=seq,
            workstation_id=store.workstation_id,
            recorded_at=recorded_at,
            protocol=_ref(episode.protocol),
        )
        for draft in new:
            lines_of[draft.uuid] = number
        drafts += new
    return drafts, episodes, lines_of, aliases


def _ref(protocol: Protocol) -> Any:
    from mgso4.core.episode import ProtocolRef

    return ProtocolRef.of(protocol)


def _first_error(exc: ValueError) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}"
    return str(exc)


# --------------------------------------------------------------------------- episode(s)


def _at(args: argparse.Namespace) -> datetime:
    return parse_datetime(args.at, "--at") if args.at else now()


def episode_json(state: EpisodeState, protocol: Protocol, at: datetime) -> dict[str, Any]:
    """The ``mgso4 episode --json`` object for a state folded as at ``at``."""
    from mgso4.core.actions import allowed_actions
    from mgso4.core.alerts import open_alerts
    from mgso4.core.board import on_board
    from mgso4.core.monitoring import DueKind, due_items, stop_plan
    from mgso4.core.outcome import baby_classes

    course = state.running_course
    running: dict[str, Any] | None = None
    if course is not None and course.loading and course.load is not None:
        running = {
            "rate_ml_per_h": course.load.rate_ml_per_h,
            "rate_g_per_h": course.load.rate_ml_per_h * course.load.concentration_g_per_ml,
            "concentration_g_per_ml": course.load.concentration_g_per_ml,
        }
    elif course is not None and course.current_rate is not None:
        period = course.current_rate
        running = {
            "rate_ml_per_h": period.rate_ml_per_h,
            "rate_g_per_h": period.rate_g_per_h,
            "concentration_g_per_ml": period.concentration_g_per_ml,
        }
    due = [item for item in due_items(state, protocol, at) if not item.acknowledged]
    stop_due = next(
        (
            item.due_at
            for item in due
            if item.kind in (DueKind.MAX_DURATION_STOP, DueKind.STOP_AT_BIRTH)
        ),
        None,
    )
    classes = {item.baby: item for item in baby_classes(state)}
    latest = state.current_course
    return {
        "episode": state.uuid,
        "at": at,
        "stage": state.stage.value,
        "on_board": on_board(state, protocol, at),
        "closed": None
        if state.closed is None
        else {"at": state.closed.closed_at, "reassess_at": state.closed.reassess_at},
        "babies_expected": state.babies_expected,
        "births": len(state.births),
        "all_born": state.all_born,
        "stop_plan": None
        if (plan := stop_plan(state)) is None
        else {"eclampsia": plan.eclampsia, "plan": plan.stop_plan},
        "running": running,
        "grams_given": _rounded(latest.grams_given(at)) if latest is not None else 0,
        "courses": [
            {
                "number": item.number,
                "started_at": item.started_at,
                "stopped_at": item.stopped_at,
                "stop_reason": None if item.stop_reason is None else item.stop_reason.value,
                "loaded": item.load is not None,
                "grams_given": _rounded(item.grams_given(at)),
                "hours": _rounded(item.hours_infused(at)),
            }
            for item in state.courses
        ],
        "cumulative_grams": _rounded(state.total_grams(at)),
        "cumulative_hours": _rounded(state.total_hours(at)),
        "open_alerts": [alert.as_dict() for alert in open_alerts(state, protocol, at)],
        "next_due": [{"what": item.kind.value, "due_at": item.due_at} for item in due],
        "stop_due_at": stop_due,
        "allowed_actions": allowed_actions(state, protocol, at),
        "babies": [
            {
                "baby": number,
                "born_at": classes[number].born_at if number in classes else None,
                "classes": classes[number].as_cli_dict() if number in classes else None,
            }
            for number in range(1, state.babies_expected + 1)
        ],
        "problems": [
            {"entry": problem.event_uuid, "message": problem.message} for problem in state.problems
        ],
    }


def _rounded(value: Any) -> Any:
    from decimal import Decimal

    return Decimal(value).quantize(Decimal("0.01"))


def _open_readonly(args: argparse.Namespace) -> Store:
    from mgso4.storage import StoreError, open_record

    path = existing_record(args.db)
    try:
        return open_record(path, readonly=True)
    except StoreError as exc:
        raise UsageError("--db", str(exc)) from None


def cmd_episode(args: argparse.Namespace) -> int:
    """One episode as at a time: stage, timers, alerts, allowed actions, babies' classes."""
    from mgso4.core.episode import fold
    from mgso4.storage import StoreError

    at = _at(args)
    protocols = _Protocols(protocol_library())
    with _open_readonly(args) as store:
        try:
            events = store.events(args.episode)
        except StoreError as exc:
            print(f"mgso4 episode: error: {exc}", file=sys.stderr)
            return EXIT_PROBLEM
        if not events:
            raise UsageError("--episode", f"there is no episode {args.episode} in the record")
        state = fold(events, until=at)
        data = episode_json(state, protocols.for_state(state, "--episode"), at)
    if args.json:
        print_json(data)
    else:
        print(f"{state.patient.name}: {state.stage.label}; on the board: {data['on_board']}")
        for alert in data["open_alerts"]:
            print(f"  {alert['severity'].upper()}: {alert['message']}")
        print(f"  allowed: {', '.join(data['allowed_actions']) or 'nothing'}")
    return EXIT_OK


def cmd_episodes(args: argparse.Namespace) -> int:
    """The ward board: the episodes on it, most urgent first."""
    from mgso4.core.board import board, past_unclosed
    from mgso4.core.episode import fold

    at = _at(args)
    protocols = _Protocols(protocol_library())
    with _open_readonly(args) as store:
        # The board's own path: the store's candidates, core's on_board. As at another time,
        # every episode is folded up to then (a close made later did not exist yet).
        states = (
            [fold(store.events(state.uuid), until=at) for state in store.episode_states()]
            if args.at
            else store.board_candidates()
        )
        pairs = [(state, protocols.for_state(state, "--db")) for state in states]
        entries = board(pairs, at)
    shown_with = {state.uuid: protocol for state, protocol in pairs}
    listed: list[dict[str, Any]] = [
        {
            "episode": entry.state.uuid,
            "patient_name": entry.state.patient.name,
            "stage": entry.state.stage.value,
            "next_due": [
                {"what": item.kind.value, "due_at": item.due_at} for item in entry.next_due
            ],
            "open_alerts": [alert.as_dict() for alert in entry.open_alerts],
            # Finished but never closed (made before the close action): close it.
            "never_closed_past": past_unclosed(entry.state, shown_with[entry.state.uuid], at),
        }
        for entry in entries
    ]
    if args.json:
        print_json({"at": at, "episodes": listed})
    else:
        for item in listed:
            alerts = len(item["open_alerts"])
            print(f"{item['patient_name']}: {item['stage']} ({alerts} open alerts)")
    return EXIT_OK


def register(sub: Any) -> None:
    """Add record, episode and episodes."""
    p = sub.add_parser("record", help="record actions from JSON Lines (one transaction)")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--file", default="-", metavar="FILE", help="JSON Lines ('-': stdin)")
    p.add_argument("--schema", action="store_true", help="print the JSON Schema of every action")
    p.set_defaults(func=cmd_record)

    p = sub.add_parser("episode", help="one episode: stage, timers, alerts, allowed actions")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--episode", required=True, metavar="UUID")
    p.add_argument("--at", metavar="ISO", help="evaluate as at this time (local if no offset)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_episode)

    p = sub.add_parser("episodes", help="the ward board, most urgent first")
    p.add_argument("--db", metavar="PATH")
    p.add_argument("--at", metavar="ISO", help="evaluate as at this time (local if no offset)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_episodes)
