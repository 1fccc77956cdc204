"""Nothing the tests, the simulator or the demo run may point at a car vendor's real servers.

The simulator serves everything itself (pictures included), so a host name of Volvo,
Stellantis or an OVMS server in those files can only be a mistake that, on a machine with
internet access, would contact the vendor. The client's production defaults live in
``custom_components/`` and are not scanned; the few tests that pin those defaults by
comparison (they never fetch them) are listed below.
"""

from __future__ import annotations

from pathlib import Path
import re

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("simulator", "scripts", "tests")
SKIPPED_SUFFIXES = {".png", ".jpg", ".svg", ".zip", ".pyc"}
VENDOR_DOMAINS = (
    r"volvocars\.com",
    r"volvocars\.biz",
    r"peugeot\.com",
    r"citroen\.com",
    r"driveds\.com",
    r"opel\.com",
    r"vauxhall\.co\.uk",
    r"groupe-psa\.com",
    r"psa-peugeot-citroen\.com",
    r"mpsa\.com",
    r"stellantis\.com",
    r"openvehicles\.com",
    r"dexters-web\.de",
)
# A host name, with or without a scheme, ending in a vendor's domain.
VENDOR_HOST = re.compile(
    r"(?<![\w.-])(?:[a-z0-9-]+\.)*(?:" + "|".join(VENDOR_DOMAINS) + r")(?![\w-])", re.IGNORECASE
)
# (file, host) pairs that only compare the client's production defaults with what they must be.
PINNED_DEFAULTS = {
    ("tests/test_volvo_client.py", "volvoid.eu.volvocars.com"),
}


def scanned_files() -> list[Path]:
    """Every text file of the scanned folders, this one excepted."""
    return [
        path
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file()
        and path.suffix not in SKIPPED_SUFFIXES
        and "__pycache__" not in path.parts
        and path != Path(__file__).resolve()
    ]


def vendor_hosts(text: str) -> set[str]:
    """The vendor host names a text mentions."""
    return {match.group(0).lower() for match in VENDOR_HOST.finditer(text)}


def test_the_pattern_finds_vendor_hosts() -> None:
    """The check can fail: it spots a vendor host with or without a scheme, and only those."""
    assert vendor_hosts('picture = "https://cas.volvocars.com/image/x.png"') == {
        "cas.volvocars.com"
    }
    assert vendor_hosts("SimBrand('peugeot', 'visuel3d-secure.peugeot.com')") == {
        "visuel3d-secure.peugeot.com"
    }
    assert vendor_hosts("wss://api.openvehicles.com:6870") == {"api.openvehicles.com"}
    assert not vendor_hosts("http://127.0.0.1:8765/pictures/xc40.svg?colour=sage-green")
    assert not vendor_hosts("Peugeot e-208, Volvo XC40, peugeot.demo")


def test_no_vendor_host_in_the_simulator_scripts_or_tests() -> None:
    """Every vendor host found is a pinned default; anything else fails, with where it is."""
    files = scanned_files()
    assert any(path.name == "test_volvo_client.py" for path in files)  # the scan sees tests
    found = set()
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        relative = path.relative_to(ROOT).as_posix()
        found |= {(relative, host) for host in vendor_hosts(text)}
    assert found - PINNED_DEFAULTS == set()
