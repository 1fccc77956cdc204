"""Build the zip HACS installs: the integration's folder, its files at the zip's root.

HACS downloads the release asset named by ``filename`` in hacs.json (``zip_release``) and
unpacks it into ``custom_components/<domain>/``. The zip is reproducible: the same sources
give the same bytes (sorted entries, fixed times and modes, no caches).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import sys
import tomllib
import zipfile

ROOT = Path(__file__).resolve().parent.parent
# A fixed time for every entry (zip's epoch is 1980): reproducible bytes.
STAMP = (1980, 1, 1, 0, 0, 0)
LEFT_OUT = ("__pycache__", ".pyc", ".DS_Store")


class ReleaseError(Exception):
    """The sources cannot be released as they are: the message says why."""


def integration_folder(root: Path = ROOT) -> Path:
    """The one integration under custom_components/ (HACS: exactly one)."""
    folders = [p for p in (root / "custom_components").iterdir() if (p / "manifest.json").exists()]
    if len(folders) != 1:
        raise ReleaseError(f"custom_components/ holds {len(folders)} integrations, not one")
    return folders[0]


def version(root: Path = ROOT) -> str:
    """The version, which manifest.json and pyproject.toml must agree on."""
    manifest = json.loads((integration_folder(root) / "manifest.json").read_text())
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    if manifest.get("version") != project.get("version"):
        raise ReleaseError(
            f"manifest.json says {manifest.get('version')}, pyproject.toml {project.get('version')}"
        )
    return str(manifest["version"])


def zip_name(root: Path = ROOT) -> str:
    """hacs.json's ``filename``, which ``zip_release`` requires."""
    hacs = json.loads((root / "hacs.json").read_text())
    if not hacs.get("zip_release") or not hacs.get("filename"):
        raise ReleaseError("hacs.json needs zip_release: true and a filename")
    return str(hacs["filename"])


def build(out_dir: Path, root: Path = ROOT) -> Path:
    """Write the release zip into ``out_dir``; its path."""
    version(root)  # refuse mismatched versions before writing anything
    folder = integration_folder(root)
    files = sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(part.endswith(LEFT_OUT) for part in path.parts)
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / zip_name(root)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            entry = zipfile.ZipInfo(path.relative_to(folder).as_posix(), STAMP)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, path.read_bytes())
    return target


def main() -> int:
    """Build the zip; print where it is and what it holds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the zip goes")
    args = parser.parse_args()
    try:
        target = build(args.out)
        release = version()
    except ReleaseError as err:
        print(f"release: {err}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(target) as archive:
        count = len(archive.namelist())
    print(f"release: {target} (version {release}, {count} files, {target.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
