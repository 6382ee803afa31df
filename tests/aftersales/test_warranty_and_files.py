from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.files import sniff_content_type, upload_check, uploads_check
from aftersales.warranty import add_months, order_warranty
from tests.factories import OrderFactory, get_store

from .factories import PDF, PNG


def test_months_are_added_with_the_day_clamped_to_the_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 15), 24) == date(2025, 11, 15)


@pytest.mark.parametrize("store_code, months", [("uk", 24), ("fr", 24), ("global", 12)])
def test_warranty_runs_from_the_order_date_by_store(reference_data, store_code, months):
    placed = datetime(2024, 3, 10, 12, tzinfo=UTC)
    order = OrderFactory(store=get_store(store_code), placed_at=placed)
    warranty = order_warranty(order, now=placed + timedelta(days=400))
    assert warranty.months == months
    assert warranty.ends_on == add_months(date(2024, 3, 10), months)
    assert warranty.is_active is (months == 24)


def test_the_magic_bytes_decide_the_type():
    assert sniff_content_type(PNG) == "image/png"
    assert sniff_content_type(PDF) == "application/pdf"
    assert sniff_content_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_content_type(b"MZ\x90\x00") is None


def test_an_accepted_file_is_checked_and_hashed():
    checked = upload_check(SimpleUploadedFile("p.png", PNG, content_type="image/png"))
    assert (checked.content_type, checked.size, len(checked.sha256)) == ("image/png", len(PNG), 64)


def test_a_file_claiming_to_be_an_image_but_not_one_is_refused_by_name():
    fake = SimpleUploadedFile("holiday.png", b"MZ\x90\x00 a windows program", content_type="image/png")
    with pytest.raises(ValidationError, match="“holiday.png” is refused: only JPEG, PNG, GIF, WebP, PDF"):
        upload_check(fake)


def test_a_refused_declared_type_is_refused_even_with_good_bytes():
    with pytest.raises(ValidationError, match="refused"):
        upload_check(SimpleUploadedFile("p.png", PNG, content_type="text/html"))


def test_a_too_big_file_names_its_size_and_the_limit(settings):
    settings.AFTERSALES_ATTACHMENT_MAX_BYTES = 50
    with pytest.raises(ValidationError, match="“big.pdf” is too big .*the limit is 50"):
        upload_check(SimpleUploadedFile("big.pdf", PDF + b"x" * 100, content_type="application/pdf"))


def test_too_many_files_and_every_bad_file_are_reported(settings):
    settings.AFTERSALES_ATTACHMENT_MAX_FILES = 2
    files = [SimpleUploadedFile(f"{n}.png", PNG, content_type="image/png") for n in range(3)]
    with pytest.raises(ValidationError, match="At most 2 files"):
        uploads_check(files)
    bad = [SimpleUploadedFile("a.exe", b"MZ", content_type="image/png"),
           SimpleUploadedFile("b.exe", b"MZ", content_type="image/png")]
    with pytest.raises(ValidationError) as refused:
        uploads_check(bad)
    assert len(refused.value.messages) == 2
