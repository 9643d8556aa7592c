"""Fill a .ts file from a translation table (run by update.sh; offline, standard library only)."""

from __future__ import annotations

import importlib.util
import sys
import xml.etree.ElementTree as ET


def main(ts_path: str, table_path: str) -> int:
    spec = importlib.util.spec_from_file_location("table", table_path)
    assert spec is not None
    assert spec.loader is not None
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    tree = ET.parse(ts_path)
    missing = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            assert translation is not None
            text = table.BY_CONTEXT.get((name, source), table.GERMAN.get(source))
            if text is None:
                missing.append(f"{name}: {source!r}")
                continue
            translation.text = text
            translation.attrib.pop("type", None)
    tree.write(ts_path, encoding="utf-8", xml_declaration=True)
    for line in missing:
        sys.stderr.write(f"untranslated: {line}\n")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
