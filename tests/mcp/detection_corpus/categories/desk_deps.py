"""Dependency containers of the helpdesk agents (cat_deps_cross_module.py); built in
desk_wiring.py."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DeskDeps:
    tenant: str
    llm: Any
    sms: object = None
    tags: list = field(default_factory=list)


@dataclass
class RankDeps:
    llm: Any


@dataclass
class AuditDeps:
    llm: object
