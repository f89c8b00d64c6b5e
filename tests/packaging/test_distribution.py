"""The wheel and sdist, built as a release is (``python -m build``): contents and metadata."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

import sm_guardrails
from tests.support import ROOT

USER_EXTRAS = {"cdk", "pulumi", "aws", "nag"}  # what a user may install; never dev or bench


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def _only(dist: Path, pattern: str) -> Path:
    [path] = dist.glob(pattern)
    return path


def _wheel_metadata(wheel: zipfile.ZipFile) -> Message:
    [name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode())


def test_wheel_holds_the_package_and_license_and_no_tests(dist: Path) -> None:
    version = sm_guardrails.__version__
    with zipfile.ZipFile(_only(dist, f"sm_guardrails-{version}-py3-none-any.whl")) as wheel:
        names = wheel.namelist()
        metadata = _wheel_metadata(wheel)
        entry_points = wheel.read(f"sm_guardrails-{version}.dist-info/entry_points.txt").decode()
    assert f"sm_guardrails-{version}.dist-info/licenses/LICENSE" in names
    assert "sm_guardrails/py.typed" in names and "sm_guardrails/cli/__init__.py" in names
    assert {name.split("/")[0] for name in names} == {
        "sm_guardrails",
        f"sm_guardrails-{version}.dist-info",
    }
    assert "sm-guardrails = sm_guardrails.cli:run" in entry_points
    assert metadata["Version"] == version
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]


def test_wheel_advertises_only_user_extras(dist: Path) -> None:
    with zipfile.ZipFile(_only(dist, "*.whl")) as wheel:
        metadata = _wheel_metadata(wheel)
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert {"cdk", "pulumi"} <= extras <= USER_EXTRAS, extras
    requires = metadata.get_all("Requires-Dist") or []
    assert not [r for r in requires if r.startswith(("pytest", "mypy", "ruff", "hypothesis"))]
    classifiers = metadata.get_all("Classifier") or []
    assert "Typing :: Typed" in classifiers
    assert not [c for c in classifiers if c.startswith("License ::")]  # PEP 639: the expression
    assert metadata["Requires-Python"] == ">=3.10"
    assert metadata["Project-URL"].startswith("Homepage, https://")


def test_sdist_holds_license_changelog_and_sources(dist: Path) -> None:
    version = sm_guardrails.__version__
    with tarfile.open(_only(dist, f"sm_guardrails-{version}.tar.gz")) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for name in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"):
        assert name in names
    assert "src/sm_guardrails/__init__.py" in names


def test_license_is_the_apache_2_0_text() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
