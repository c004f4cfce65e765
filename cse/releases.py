"""oneM2M release versions as carried in the Release Version Indicator (rvi)."""

from cse.errors import RequestError
from cse.status import RSC

SUPPORTED = ("1", "2", "2a", "3", "4", "5")
LATEST = SUPPORTED[-1]

# A request without rvi is a Release 1 request (TS-0004 clause 6.4.1, rvi absent).
DEFAULT = "1"

_ORDER = {name: index for index, name in enumerate(SUPPORTED)}


def rank(release: str) -> int:
    """Position of a release in time, for 'at least' comparisons."""
    return _ORDER[release]


def at_least(release: str, minimum: str) -> bool:
    return _ORDER[release] >= _ORDER[minimum]


def check(release: str) -> str:
    if release not in _ORDER:
        raise RequestError(
            RSC.RELEASE_VERSION_NOT_SUPPORTED,
            f"release version {release!r} is not supported (supported: {', '.join(SUPPORTED)})",
        )
    return release
