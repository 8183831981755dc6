"""One XML parser for everything we parse ourselves: no entity expansion,
no DTD or network fetches, no huge trees."""

from __future__ import annotations

from lxml import etree

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, parser=_PARSER)
