#!/usr/bin/env python3
"""Validates payload fixtures against EventSchemas/ with Python's `jsonschema`, an implementation
independent of ours, and prints one verdict per fixture as JSON:

    {"submitted.v1#valid/0": {"ok": true}, "submitted.v1#invalid/3": {"ok": false, "error": "..."}, ...}

The Swift test suite runs this and fails on any fixture where the two disagree.

usage: schema-check.py SCHEMA_DIR FIXTURE_DIR
"""
import json
import os
import sys

from jsonschema import Draft202012Validator
from referencing import Registry, Resource


def load_registry(schema_dir):
    resources = []
    schemas = {}
    for name in sorted(os.listdir(schema_dir)):
        if not name.endswith(".schema.json"):
            continue
        with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
            schema = json.load(f)
        Draft202012Validator.check_schema(schema)
        schemas[name] = schema
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return schemas, Registry().with_resources(resources)


def main():
    schema_dir, fixture_dir = sys.argv[1], sys.argv[2]
    schemas, registry = load_registry(schema_dir)
    verdicts = {}
    for name in sorted(os.listdir(fixture_dir)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(fixture_dir, name), encoding="utf-8") as f:
            fixture = json.load(f)
        schema = schemas[f"{fixture['type']}.v{fixture['schemaVersion']}.schema.json"]
        validator = Draft202012Validator(
            schema, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        stem = name[: -len(".json")]
        cases = [("valid", i, p) for i, p in enumerate(fixture["valid"])]
        cases += [("invalid", i, case["payload"]) for i, case in enumerate(fixture["invalid"])]
        for kind, index, payload in cases:
            error = next(iter(sorted(validator.iter_errors(payload), key=lambda e: list(e.path))), None)
            verdict = {"ok": error is None}
            if error is not None:
                verdict["error"] = f"{error.json_path}: {error.message}"
            verdicts[f"{stem}#{kind}/{index}"] = verdict
    json.dump(verdicts, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
