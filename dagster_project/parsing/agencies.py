"""Agency identity: the same agency under the names it gives itself in different years.

A report names its agency as it likes: 洪泽区人民政府 one year, 淮安市洪泽区人民政府 the next. Both
resolve to the same region (adcode 320813), and once the region's own names are stripped from the
front both leave 人民政府. The key is therefore adcode + the name without its region prefix; with no
adcode the full normalised name stands in, so nothing is merged on a guess.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .model import Metadata
from .regions import short_name

_SPACE = re.compile(r"\s+")


def normalised_name(name: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", name))


def local_name(metadata: Metadata) -> str | None:
    """The agency name without the leading province/city/district names of its own region."""
    if not metadata.agency_name:
        return None
    name = normalised_name(metadata.agency_name)
    prefixes = [n for n in (metadata.province, metadata.city, metadata.district) if n]
    prefixes += [short_name(n) for n in prefixes]
    changed = True
    while changed:
        changed = False
        for prefix in sorted(set(prefixes), key=len, reverse=True):
            if name.startswith(prefix) and len(name) > len(prefix):
                name = name[len(prefix):]
                changed = True
                break
    return name


def agency_key(metadata: Metadata) -> str | None:
    """Stable text key of the agency, e.g. '320813|人民政府'; None when the report names no agency."""
    name = local_name(metadata)
    if name is None:
        return None
    if metadata.adcode:
        return f"{metadata.adcode}|{name}"
    return f"?|{normalised_name(metadata.agency_name or '')}"


def agency_id(metadata: Metadata) -> str | None:
    """The contract's agency_id: the first 16 hex digits of sha256(agency_key)."""
    key = agency_key(metadata)
    return None if key is None else hashlib.sha256(key.encode()).hexdigest()[:16]
