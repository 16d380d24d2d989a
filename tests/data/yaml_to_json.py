"""Prints a YAML document as JSON, refusing a key written twice in one mapping (PyYAML keeps
the last one; GitHub refuses the file). Used by tests/Workflows.Tests.ps1."""
import json
import sys

import yaml


class StrictLoader(yaml.SafeLoader):
    pass


def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, "the key %r is written twice" % (key,), key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=True)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)

with open(sys.argv[1], encoding="utf-8") as f:
    document = yaml.load(f, Loader=StrictLoader)
# YAML 1.1 reads a bare `on:` key as true; JSON keys are strings.
print(json.dumps(document, default=str))
