"""What a session remembers of the device: a browser and system name, and a network, not an address.

Monitors are people the state may look for: a stored address or full User-Agent string could
place or identify their phone. The list of one's sessions needs only enough to tell one's own
devices apart, so the address is cut to its /24 (IPv4) or /48 (IPv6) network, and the
User-Agent to names such as "Firefox, Android" (names, not words: the same in every language).
"""

from __future__ import annotations

import ipaddress
import re

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"\bChrome/|\bCriOS/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMacintosh\b|\bMac OS X\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def describe_agent(user_agent: str | None) -> str:
    """A name such as "Chrome, Android", "Firefox" or "Windows"; empty when nothing is recognised."""
    text = (user_agent or "")[:512]
    browser = next((name for name, pattern in _BROWSERS if pattern.search(text)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(text)), "")
    if browser and system:
        return f"{browser}, {system}"
    return browser or system


def coarse_address(address: str | None) -> str | None:
    """The address's network (203.0.113.0/24, 2001:db8:1::/48), or None when it is not an IP address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
