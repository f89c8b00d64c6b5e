"""``sm-guardrails rules``: list the rules."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sm_guardrails.catalog import RULES
from sm_guardrails.cli.exits import EXIT_OK
from sm_guardrails.reporting.text import render_rules


def add_parser(subparsers: Any) -> None:
    """Register ``rules`` on the CLI's subparsers."""
    parser = subparsers.add_parser("rules", help="list the rules")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the rules as text or JSON."""
    print(_rules_json() if args.format == "json" else render_rules(), end="")
    return EXIT_OK


def _rules_json() -> str:
    return json.dumps(
        [
            {
                "rule_id": rule.rule_id,
                "name": rule.name,
                "title": rule.title,
                "default_level": rule.default_level.value,
                "rationale": rule.rationale,
                "references": [
                    {"framework": ref.framework, "control": ref.control, "url": ref.url}
                    for ref in rule.references
                ],
            }
            for rule in RULES
        ],
        indent=2,
    )
