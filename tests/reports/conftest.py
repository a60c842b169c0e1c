"""Fixtures for the report tests: the protocol files and the demo episodes."""

from __future__ import annotations

import pytest
from report_builders import Scenario, build_long, build_standard, build_transfer

from mgso4.core.protocol import (
    PreparationSet,
    Protocol,
    ProtocolLibrary,
    load_preparations_file,
)
from mgso4.resources import resource_path


@pytest.fixture(scope="session")
def protocol() -> Protocol:
    return ProtocolLibrary(resource_path("protocols")).load("uk-nice-ng25")


@pytest.fixture(scope="session")
def preparations() -> PreparationSet:
    return load_preparations_file(resource_path("preparations.toml"))


@pytest.fixture(scope="session")
def standard(protocol: Protocol) -> Scenario:
    return build_standard(protocol)


@pytest.fixture(scope="session")
def transfer(protocol: Protocol) -> Scenario:
    return build_transfer(protocol)


@pytest.fixture(scope="session")
def long_scenario(protocol: Protocol) -> Scenario:
    return build_long(protocol)
