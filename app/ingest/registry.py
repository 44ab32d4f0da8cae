"""The registry of named extraction rules: each has a stage, a reason in words and example sentences with the
positions they give (tests/unit/test_extract_rules.py runs every example). The name and the reason of the rule
that decided go with each candidate (Candidate.rule, Candidate.rule_reason)."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable


# --- the registry --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """A named rule: its stage, its reason in words, and example sentences with the positions they give."""

    name: str
    stage: str  # cue | holder | stance | sentence | discourse | article
    reason: str
    examples: tuple[tuple[str, frozenset], ...]
    fn: Callable | None = None


RULES: dict[str, Rule] = {}


def rule(stage: str, name: str, reason: str, examples: list[tuple[str, set]]):
    """Register a rule; the decorated function keeps working as itself."""
    def register(fn):
        if name in RULES:
            raise ValueError(f"rule {name!r} is defined twice")
        RULES[name] = Rule(name, stage, reason, tuple((t, frozenset(e)) for t, e in examples), fn)
        return fn
    return register


def declare(stage: str, name: str, reason: str, examples: list[tuple[str, set]]) -> str:
    """A rule whose test lives in another stage's code (a role rule, a filter); returns its name."""
    RULES[name] = Rule(name, stage, reason, tuple((t, frozenset(e)) for t, e in examples))
    return name


def why(name: str, detail: str = "") -> tuple[str, str]:
    """A rule's name and its reason, with what it saw."""
    reason = RULES[name].reason
    return name, f"{reason} ({detail})" if detail else reason
