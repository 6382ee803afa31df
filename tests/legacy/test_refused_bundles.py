"""Contract "Layout": a bad bundle stops the import before anything is written, naming the file (exit 2)."""

import hashlib
import json

import pytest

from brands.legacy.models import ImportRun, LegacyRecord
from brands.legacy.reader import BundleRefused, open_bundle
from storefront.accounts.models import User

from .bundles import customer, product, tarball, write_bundle

pytestmark = pytest.mark.django_db


def nothing_written():
    return not (ImportRun.objects.exists() or LegacyRecord.objects.exists() or User.objects.exists())


@pytest.fixture
def bundle(tmp_path, reference_data):
    return write_bundle(tmp_path / "bundle", {"customers": [customer("C1"), customer("C2")]})




def test_a_checksum_mismatch_refuses_the_bundle_naming_the_file(bundle, run_import):
    path = bundle / "customers.jsonl"
    path.write_bytes(path.read_bytes().replace(b"Alex", b"Alix"))
    with pytest.raises(BundleRefused, match=r"customers\.jsonl: sha256 .* does not match"):
        open_bundle(bundle)
    assert run_import(bundle) == (2, None)
    assert nothing_written()


def test_a_truncated_file_is_refused(bundle, run_import):
    path = bundle / "customers.jsonl"
    path.write_bytes(path.read_bytes()[:-40])
    assert run_import(bundle) == (2, None)
    assert nothing_written()


def test_a_line_count_that_disagrees_with_the_manifest_is_refused(bundle, run_import):
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["customers.jsonl"]["records"] = 3
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleRefused, match=r"customers\.jsonl: 2 lines where manifest.json says 3"):
        open_bundle(bundle)
    assert run_import(bundle) == (2, None)


def test_a_corrupt_gzip_is_refused_naming_the_file(tmp_path, run_import, reference_data):
    bundle = write_bundle(tmp_path / "b", {"customers": [customer("C1")]}, gz=("customers",))
    data = bytearray((bundle / "customers.jsonl.gz").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (bundle / "customers.jsonl.gz").write_bytes(bytes(data))
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"]["customers.jsonl.gz"]["sha256"] = hashlib.sha256(bytes(data)).hexdigest()
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleRefused, match=r"customers\.jsonl\.gz: corrupt gzip"):
        open_bundle(bundle)
    assert run_import(bundle) == (2, None)
    assert nothing_written()


@pytest.mark.parametrize("version", [2, "1", None, True])
def test_an_unknown_version_is_refused(bundle, run_import, version):
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["version"] = version
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleRefused, match="manifest.json: unknown version"):
        open_bundle(bundle)
    assert run_import(bundle) == (2, None)
    assert nothing_written()


def test_an_unknown_format_is_refused(bundle, run_import):
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["format"] = "other-export"
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert run_import(bundle) == (2, None)
    assert nothing_written()


def test_a_missing_listed_file_is_refused(bundle, run_import):
    (bundle / "customers.jsonl").unlink()
    with pytest.raises(BundleRefused, match=r"customers\.jsonl: listed in manifest.json but missing"):
        open_bundle(bundle)
    assert run_import(bundle) == (2, None)
    assert nothing_written()


def test_products_without_the_poco_brand_in_the_store_are_refused(tmp_path, run_import, db):
    bundle = write_bundle(tmp_path / "b", {"customers": [customer("C1")], "products": [product("P1")]})
    assert run_import(bundle) == (2, None)
    assert nothing_written()


def test_a_tarball_and_gzipped_files_import_like_a_directory(tmp_path, run_import, reference_data):
    directory = write_bundle(tmp_path / "bundle", {"customers": [customer("C1"), customer("C2")]},
                             gz=("customers",), final_newline=False)
    status, report = run_import(tarball(directory, tmp_path / "bundle.tar.gz"))
    assert status == 0
    assert report["entities"]["customers"]["created"] == 2


def test_a_gzip_member_that_is_not_gzip_is_refused(tmp_path, run_import, reference_data):
    bundle = write_bundle(tmp_path / "b", {"customers": [customer("C1")]})
    (bundle / "customers.jsonl").rename(bundle / "customers.jsonl.gz")
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["files"] = {"customers.jsonl.gz": manifest["files"]["customers.jsonl"]}
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert run_import(bundle) == (2, None)
    assert nothing_written()
