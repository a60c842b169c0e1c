"""User and unit settings, stored as JSON in the platform's user config folder.

Settings choose the protocol for NEW episodes only: an episode keeps the protocol id,
version and hash it started with (recorded on every event).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from mgso4.core.model import CoreModel
from mgso4.core.protocol import DEFAULT_PREPARATION_ID, DEFAULT_PROTOCOL_ID

APP_NAME = "mgso4-proforma"


class SettingsError(ValueError):
    """Settings that cannot be used; the message names the field."""


class Settings(CoreModel):
    """What a unit sets once (unit name, protocol, preparation, time zone, backups, feedback).

    The feedback-sheet settings (docs/auditor-guide.md, "The monthly feedback sheet"):
    ``spc_shift_length`` and ``spc_trend_length`` are the Making Data Count run lengths (6 or
    7); ``spc_min_denominator`` is the fewest eligible babies every month (or quarter) needs
    before SPC limits and signals are drawn (never below 5); the NNAP targets are the PReCePT
    national aim (85 %) and stretch (95 %) [Q6][Q8], not a confirmed NNAP standard (reference
    §4.1); ``suppress_below`` shows counts below it as "<k" on sheets that leave the unit (None:
    off, for internal huddles).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    unit_name: str = Field(default="Labour ward", max_length=120)
    protocol: str = DEFAULT_PROTOCOL_ID
    default_preparation: str = DEFAULT_PREPARATION_ID
    timezone: str = "Europe/London"
    backup_dir: str = ""
    backup_keep: int = Field(default=14, ge=1, le=365)
    spc_shift_length: Literal[6, 7] = 7
    spc_trend_length: Literal[6, 7] = 7
    spc_min_denominator: int = Field(default=10, ge=5, le=1000)
    nnap_target_percent: int = Field(default=85, ge=1, le=100)
    nnap_stretch_target_percent: int = Field(default=95, ge=1, le=100)
    suppress_below: int | None = Field(default=None, ge=2, le=50)
    #: The unit record on a PostgreSQL server (a libpq URI, never with a password in it: the
    #: password is in a pgpass file or the OS keyring); empty: this PC's own record file.
    unit_record: str = Field(default="", max_length=1000)

    @field_validator("unit_record")
    @classmethod
    def _unit_record_without_password(cls, value: str) -> str:
        from urllib.parse import urlsplit

        text = value.strip()
        if not text:
            return ""
        if not text.lower().startswith(("postgresql://", "postgres://")):
            raise ValueError("the unit record is a postgresql:// address (or empty)")
        parts = urlsplit(text)
        if parts.password is not None or "password=" in parts.query:
            raise ValueError(
                "the unit record's address must not hold a password: keep it in a pgpass "
                "file or the OS keyring"
            )
        return text

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a known time zone (e.g. Europe/London)") from None
        return value

    @field_validator("nnap_stretch_target_percent")
    @classmethod
    def _stretch_not_below_target(cls, value: int, info: ValidationInfo) -> int:
        target = info.data.get("nnap_target_percent")
        if isinstance(target, int) and value < target:
            raise ValueError(f"the stretch target ({value} %) is below the target ({target} %)")
        return value


def config_dir() -> Path:
    """The user config folder (platformdirs)."""
    override = os.environ.get("MGSO4_CONFIG_DIR")
    return (
        Path(override)
        if override
        else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    )


def data_dir() -> Path:
    """The user data folder (platformdirs): the live database and default backups."""
    override = os.environ.get("MGSO4_DATA_DIR")
    return (
        Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )


def backup_folder(settings: Settings, training: bool = False) -> Path:
    """Where backups (and the chain-head witnesses beside them) go: the setting, else the data
    folder; training backups apart.

    Training backups get their own folder because rotation keeps the newest N files of a
    folder: mixed in one folder, practice backups would push clinical ones out.
    """
    base = Path(settings.backup_dir).expanduser() if settings.backup_dir else data_dir() / "backups"
    return base / "training" if training else base


def settings_path() -> Path:
    """Where settings are kept."""
    return config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    """Read settings; a missing file gives the defaults, a broken one an error naming it."""
    path = path or settings_path()
    if not path.exists():
        return Settings()
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
        return Settings.model_validate(raw)
    except (OSError, json.JSONDecodeError) as exc:
        raise SettingsError(f"Settings file {path} cannot be read: {exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise SettingsError(
            f"Settings file {path}: {field}: {first['msg'].removeprefix('Value error, ')}"
        ) from None


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write settings atomically (temp file, fsync, replace)."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(settings.model_dump(), indent=2).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
