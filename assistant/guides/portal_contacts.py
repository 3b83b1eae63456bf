"""Contacts and web addresses of a portal guide: phones from the basic block and the standard guide block
(they differ in some guides), consultation and complaint places, and the entry links besides the online
entry."""

from __future__ import annotations

import re

from assistant.guides.schema import EntryLink

# the standard guide's web addresses besides the online entry (`zcblqdWbdz`), with what the key names
STD_LINKS = {
    "dndtzdz": "电脑端入口",
    "yddtzdz": "移动端入口",
    "zzzdtzdz": "自助终端入口",
    "xxcktzdz": "线下窗口链接",
}
PHONE_ONLY = re.compile(r"^[0-9\-—、，,；;\s（）()]+$")


def merge(*lists: list[str]) -> list[str]:
    out: list[str] = []
    for items in lists:
        for x in items:
            if x not in out:
                out.append(x)
    return out


def place_or_link(text: str, kind: str, links: list[EntryLink]) -> str:
    """A consultation or complaint 'address' field: a web address becomes a link, a phone number is not a
    place (returned empty; the caller files it as a phone), anything else is a place."""
    if not text:
        return ""
    if text.startswith("http"):
        links.append(EntryLink(kind=kind, url=text))
        return ""
    if PHONE_ONLY.match(text):
        return ""
    return text
