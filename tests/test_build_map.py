"""The map asset is reproducible: rebuilding from the vendored world-atlas gives the committed file byte for byte."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_rebuild_is_byte_identical(tmp_path):
    pytest.importorskip("shapely", reason="the map build needs the dev extra (shapely)")
    out = tmp_path / "europe.json"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_map.py"), "--out", str(out)], check=True,
                   capture_output=True, text=True)
    committed = ROOT / "static" / "map" / "europe.json"
    assert out.read_bytes() == committed.read_bytes(), "static/map/europe.json is stale: run scripts/build_map.py"
