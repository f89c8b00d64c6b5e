"""``sm-guardrails pulumi new-pack DIR``: write a Pulumi policy pack that a team owns.

The pack runs the released sm-guardrails policies (``notebook_policies()``), pinned to
this version, so it installs anywhere: ``pulumi policy publish`` uploads the folder and
the engine installs ``requirements.txt`` into the pack's own virtualenv. Writing it
needs no Pulumi package: this module only writes text files.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from sm_guardrails import __version__
from sm_guardrails.catalog import RULES, judged_resources
from sm_guardrails.cli.exits import usage_error

_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]*$")


def pack_files(name: str, version: str = __version__) -> dict[str, str]:
    """The files of a pack called ``name`` that runs sm-guardrails ``version``."""
    return {
        "PulumiPolicy.yaml": (
            f"description: sm-guardrails - keeps SageMaker {judged_resources()} off the "
            f"public internet ({RULES[0].rule_id} to {RULES[-1].rule_id})\n"
            f"version: {version}\n"
            "runtime:\n"
            "  name: python\n"
            "  options:\n"
            "    toolchain: pip\n"
            "    virtualenv: venv\n"
        ),
        "__main__.py": (
            '"""The sm-guardrails policy pack: rules at level error are mandatory, the others '
            "advisory.\n\n"
            "Two policies: ``sm-guardrails`` reports what blocks, ``sm-guardrails-advisory`` "
            "what is\nonly shown. Change a level or add exemptions in the config of "
            "``sm-guardrails``\n(``pulumi policy enable ... --config`` or "
            "``--policy-pack-config``; see docs/pulumi.md).\n"
            "Add policies of your own to the list.\n"
            '"""\n\n'
            "from pulumi_policy import PolicyPack\n\n"
            "from sm_guardrails.pulumi import notebook_policies\n\n"
            "PolicyPack(\n"
            f"    name={json.dumps(name)},\n"
            "    description=(\n"
            f'        "Keeps Amazon SageMaker {judged_resources()} off the public internet."\n'
            "    ),\n"
            "    policies=notebook_policies(),\n"
            ")\n"
        ),
        "requirements.txt": (
            "# The engine installs this into the pack's venv/ (also after `pulumi policy "
            "publish`).\n"
            f"sm-guardrails[pulumi]=={version}\n"
        ),
        ".gitignore": "venv/\n__pycache__/\n",
    }


def write_pack(directory: Path, name: str) -> list[Path]:
    """Write the pack into ``directory`` (new or empty); returns the files written."""
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise FileExistsError(f"{directory} exists and is not an empty directory")
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for file, text in pack_files(name).items():
        path = directory / file
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``pulumi new-pack``."""
    pulumi = subparsers.add_parser("pulumi", help="Pulumi helpers")
    pulumi.set_defaults(run=run)
    commands = pulumi.add_subparsers(dest="pulumi_command", required=True)
    new_pack = commands.add_parser(
        "new-pack",
        help="write a Pulumi policy pack that runs the sm-guardrails policies",
        description=(
            f"Write a policy pack pinned to sm-guardrails {__version__} into DIR "
            "(new or empty), ready for `pulumi policy publish`."
        ),
    )
    new_pack.add_argument("directory", type=Path, metavar="DIR")
    new_pack.add_argument("--name", help="the pack's name (default: DIR's name)")


def run(args: argparse.Namespace) -> int:
    """Write the pack; 0 when written, 2 when DIR or the name is unusable."""
    name = args.name or args.directory.resolve().name
    if not _NAME.match(name):
        return usage_error(
            f"pack name {name!r}: use letters, digits, '.', '_' or '-' (pass --name)"
        )
    try:
        written = write_pack(args.directory, name)
    except OSError as error:
        return usage_error(f"new-pack: {error}; choose a new directory")
    for path in written:
        print(f"wrote {path}")
    print(
        f"next: pulumi policy publish {args.directory} (Pulumi Cloud), or "
        f"pulumi preview --policy-pack {args.directory}"
    )
    return 0
