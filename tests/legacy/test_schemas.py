"""The engine decodes a line straight into its entity's schema and takes the long way (JSON objects, then
`msgspec.convert`) only when that fails: both must give the same record, and fail on the same lines."""

import hashlib
from datetime import UTC, datetime

import msgspec
import pytest

from brands.legacy.entities import ENTITIES
from brands.legacy.generator import write_bundle as generate
from brands.legacy.loaders import Context, registered_loaders
from brands.legacy.schemas import SCHEMAS

from .bundles import SAMPLE_CANDIDATES


def _long_way(text: str, schema):
    try:
        return msgspec.convert(msgspec.json.decode(text), schema)
    except msgspec.DecodeError:  # not JSON, or not the schema (ValidationError is a DecodeError)
        return None


def _straight(text: str, schema):
    try:
        return msgspec.json.Decoder(schema).decode(text)
    except msgspec.DecodeError:
        return None


def _assert_same_records(directory):
    compared = 0
    for entity, schema in SCHEMAS.items():
        path = directory / f"{entity}.jsonl"
        for number, raw in enumerate(path.read_bytes().splitlines(), start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                continue  # quarantined before either decoding
            slow, fast = _long_way(text, schema), _straight(text, schema)
            assert (fast is None) == (slow is None), f"{entity} line {number}: only one way decodes it"
            if fast is not None:
                assert fast == slow, f"{entity} line {number}"
                assert (hashlib.sha256(msgspec.json.encode(fast, order="sorted")).digest()
                        == hashlib.sha256(msgspec.json.encode(slow, order="sorted")).digest())
                compared += 1
    return compared


def test_decoding_into_the_schema_gives_the_long_ways_record_on_every_generated_line(tmp_path):
    generate(tmp_path / "bundle", customers=200, seed=3, bad_lines=True)
    assert _assert_same_records(tmp_path / "bundle") > 1000


def test_decoding_into_the_schema_gives_the_long_ways_record_on_the_shared_sample():
    sample = next((path for path in SAMPLE_CANDIDATES if (path / "manifest.json").is_file()), None)
    if sample is None:
        pytest.skip("the shared sample (../shared/legacy-export/sample) is not beside this checkout")
    assert _assert_same_records(sample) > 100


@pytest.mark.django_db
def test_each_loaders_view_decodes_the_lines_its_schema_decodes_into_the_same_values_and_totals(tmp_path):
    """What a re-import decodes an unchanged line into (`Loader.record_view`): the record's own values for the
    fields it keeps, and the same contribution to the report's totals."""
    generate(tmp_path / "bundle", customers=200, seed=3, bad_lines=True)
    context = Context(run=None, bundle=None, cutover=datetime(2024, 12, 12, tzinfo=UTC), dry_run=False, workers=None,
                      resolution=None)
    viewed = set()
    for entity, loader_class in registered_loaders().items():
        loader, schema = loader_class(context), SCHEMAS[entity]
        view = loader.record_view(ENTITIES[entity])
        if view is None:
            continue
        viewed.add(entity)
        for number, raw in enumerate((tmp_path / "bundle" / f"{entity}.jsonl").read_bytes().splitlines(), start=1):
            record = _straight(raw, schema)
            if record is None:
                continue
            part = msgspec.json.decode(raw, type=view)
            assert {name: getattr(part, name) for name in view.__struct_fields__} == {
                name: getattr(record, name) for name in view.__struct_fields__}, f"{entity} line {number}"
            assert loader.totals(part) == loader.totals(record), f"{entity} line {number}"
    assert viewed == set(ENTITIES) - {"customers"}  # whose `survey` reads every record whole
