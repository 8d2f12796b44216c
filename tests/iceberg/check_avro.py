#!/usr/bin/python3
"""Reads a weft Iceberg table's Avro files with Apache Avro's own Python
reader (Debian python3-avro), not with weft's code, and checks them against
the Iceberg v2 spec and the files on disk.

  check_avro.py VERSION_DIR [EXPECTED_CURRENT_ROWS]

VERSION_DIR is a product major's directory (<root>/products/<p>/v<M>): the
table location. For every snapshot the table metadata lists: the manifest
list and each manifest are Avro object container files whose schemas carry
the spec's field ids, the header metadata Iceberg readers look for is there,
every manifest's manifest_length is its size, every data file exists with
the size the manifest says, and the live files' record counts add up to the
snapshot summary's total-records (and to EXPECTED_CURRENT_ROWS for the
current snapshot, when given). Exit 0 and one summary line, or exit 1 and
every problem found.
"""
import json
import os
import sys
import warnings
from urllib.parse import unquote, urlparse

import avro.datafile
import avro.errors
import avro.io

# Iceberg writes its int-keyed maps as arrays of key/value records marked
# logicalType "map", which Avro does not define: the reader says so and
# reads the array, which is what the spec intends.
warnings.filterwarnings("ignore", category=avro.errors.IgnoredLogicalType)

# Field ids of the Iceberg v2 spec ("Manifest Lists", "Manifests").
MANIFEST_FILE_IDS = {
    "manifest_path": 500, "manifest_length": 501, "partition_spec_id": 502,
    "content": 517, "sequence_number": 515, "min_sequence_number": 516,
    "added_snapshot_id": 503, "added_files_count": 504, "existing_files_count": 505,
    "deleted_files_count": 506, "added_rows_count": 512, "existing_rows_count": 513,
    "deleted_rows_count": 514,
}
MANIFEST_ENTRY_IDS = {"status": 0, "snapshot_id": 1, "sequence_number": 3,
                      "file_sequence_number": 4, "data_file": 2}
DATA_FILE_IDS = {
    "content": 134, "file_path": 100, "file_format": 101, "partition": 102,
    "record_count": 103, "file_size_in_bytes": 104,
}
# Optional data_file fields: checked when present.
DATA_FILE_OPTIONAL_IDS = {
    "column_sizes": 108, "value_counts": 109, "null_value_counts": 110,
    "nan_value_counts": 137, "lower_bounds": 125, "upper_bounds": 128,
    "key_metadata": 131, "split_offsets": 132, "equality_ids": 135, "sort_order_id": 140,
}

problems = []


def problem(where, what):
    problems.append(f"{where}: {what}")


def local_path(uri, where):
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        problem(where, f"not a file:// URI: {uri}")
        return None
    return unquote(parsed.path)


def fields_of(schema):
    """The record fields of an Avro schema, looking through unions."""
    if schema.type == "union":
        for branch in schema.schemas:
            if branch.type == "record":
                return branch.fields
        return []
    return schema.fields if schema.type == "record" else []


def check_field_ids(record_schema, expected, optional, where):
    by_name = {f.name: f for f in record_schema.fields}
    for name, field_id in list(expected.items()) + list(optional.items()):
        field = by_name.get(name)
        if field is None:
            if name in expected:
                problem(where, f"schema has no field '{name}'")
            continue
        got = field.other_props.get("field-id")
        if got != field_id:
            problem(where, f"field '{name}' has field-id {got!r}, the spec says {field_id}")
    # Every field, nested ones too, needs an id (PyIceberg reads by id).
    def walk(fields, path):
        for f in fields:
            if "field-id" not in f.other_props:
                problem(where, f"field '{path}{f.name}' has no field-id")
            walk(fields_of(f.type), f"{path}{f.name}.")
            if f.type.type == "array" and f.type.items.type == "record":
                walk(f.type.items.fields, f"{path}{f.name}[].")
    walk(record_schema.fields, "")


def read_avro(path, where):
    """Records and header metadata of an Avro container file."""
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        meta = {k: v.decode() if isinstance(v, bytes) else v for k, v in reader.meta.items()}
        schema = reader.datum_reader.writers_schema
        records = list(reader)
    codec = meta.get("avro.codec", "null")
    if codec not in ("null", "deflate"):
        problem(where, f"codec {codec} (icebird reads only null and deflate)")
    return records, meta, schema


def check_snapshot(snapshot, table_dir, where):
    """Checks one snapshot's manifest list and manifests; returns its live row count."""
    list_path = local_path(snapshot["manifest-list"], where)
    if list_path is None or not os.path.isfile(list_path):
        problem(where, f"manifest list {snapshot['manifest-list']} is missing")
        return None
    manifests, meta, schema = read_avro(list_path, list_path)
    check_field_ids(schema, MANIFEST_FILE_IDS, {}, list_path)
    if meta.get("format-version") != "2":
        problem(list_path, f"header format-version {meta.get('format-version')!r}, want '2'")
    if meta.get("snapshot-id") != str(snapshot["snapshot-id"]):
        problem(list_path, f"header snapshot-id {meta.get('snapshot-id')!r}, metadata says {snapshot['snapshot-id']}")
    if str(snapshot.get("sequence-number")) != meta.get("sequence-number"):
        problem(list_path, f"header sequence-number {meta.get('sequence-number')!r}, metadata says {snapshot.get('sequence-number')}")
    rows = 0
    for m in manifests:
        mwhere = f"{list_path} -> {m['manifest_path']}"
        mpath = local_path(m["manifest_path"], mwhere)
        if mpath is None or not os.path.isfile(mpath):
            problem(mwhere, "manifest is missing")
            continue
        if os.path.getsize(mpath) != m["manifest_length"]:
            problem(mwhere, f"manifest_length {m['manifest_length']} but the file has {os.path.getsize(mpath)} bytes")
        if m["content"] != 0:
            problem(mwhere, f"content {m['content']}: weft writes data manifests only")
        entries, mmeta, mschema = read_avro(mpath, mpath)
        check_field_ids(mschema, MANIFEST_ENTRY_IDS, {}, mpath)
        data_file_schema = next(f.type for f in mschema.fields if f.name == "data_file")
        check_field_ids(data_file_schema, DATA_FILE_IDS, DATA_FILE_OPTIONAL_IDS, mpath + " data_file")
        for key in ("schema", "partition-spec", "partition-spec-id", "format-version", "content"):
            if key not in mmeta:
                problem(mpath, f"header has no '{key}'")
        if mmeta.get("format-version") != "2" or mmeta.get("content") != "data":
            problem(mpath, f"header format-version {mmeta.get('format-version')!r} content {mmeta.get('content')!r}")
        try:
            json.loads(mmeta.get("schema", "null"))
        except ValueError as e:
            problem(mpath, f"header schema is not JSON: {e}")
        added = sum(1 for e in entries if e["status"] == 1)
        if added != m["added_files_count"]:
            problem(mwhere, f"added_files_count {m['added_files_count']} but {added} entries have status ADDED")
        for e in entries:
            df = e["data_file"]
            ewhere = f"{mpath} entry {df['file_path']}"
            if e["status"] != 1 and (e["sequence_number"] is None or e["file_sequence_number"] is None):
                problem(ewhere, f"status {e['status']} without explicit sequence numbers")
            if e["status"] == 2:
                continue
            dpath = local_path(df["file_path"], ewhere)
            if dpath is None or not os.path.isfile(dpath):
                problem(ewhere, "data file is missing")
                continue
            if not os.path.realpath(dpath).startswith(os.path.realpath(table_dir) + os.sep):
                problem(ewhere, f"data file outside the table location {table_dir}")
            if os.path.getsize(dpath) != df["file_size_in_bytes"]:
                problem(ewhere, f"file_size_in_bytes {df['file_size_in_bytes']} but the file has {os.path.getsize(dpath)}")
            if df["file_format"] != "PARQUET" or df["content"] != 0:
                problem(ewhere, f"file_format {df['file_format']} content {df['content']}")
            rows += df["record_count"]
    total = snapshot.get("summary", {}).get("total-records")
    if total is not None and int(total) != rows:
        problem(list_path, f"live data files hold {rows} rows, the summary's total-records is {total}")
    return rows, len(manifests)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    table_dir = os.path.abspath(sys.argv[1])
    expected = int(sys.argv[2]) if len(sys.argv) == 3 else None
    hint = os.path.join(table_dir, "metadata", "version-hint.text")
    if not os.path.isfile(hint):
        sys.exit(f"check_avro: {hint} is missing: the table has no Iceberg metadata")
    with open(hint) as f:
        version = f.read().strip()
    with open(os.path.join(table_dir, "metadata", f"v{version}.metadata.json")) as f:
        metadata = json.load(f)
    if metadata.get("format-version") != 2:
        problem(hint, f"format-version {metadata.get('format-version')}")
    snapshots = metadata.get("snapshots", [])
    if not snapshots:
        problem(hint, "the table metadata lists no snapshots")
    manifests = 0
    current_rows = None
    for s in snapshots:
        result = check_snapshot(s, table_dir, f"snapshot {s.get('snapshot-id')}")
        if result is None:
            continue
        rows, n = result
        manifests += n
        if s.get("snapshot-id") == metadata.get("current-snapshot-id"):
            current_rows = rows
    if expected is not None and current_rows != expected:
        problem(table_dir, f"the current snapshot's data files hold {current_rows} rows, weft query counts {expected}")
    if problems:
        print(f"check_avro: {len(problems)} problem(s) in {table_dir}:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        sys.exit(1)
    print(f"check_avro: {table_dir}: v{version}.metadata.json, {len(snapshots)} snapshot(s), "
          f"{manifests} manifest(s), current snapshot {current_rows} rows: read with python3-avro, as the spec says")


if __name__ == "__main__":
    main()
