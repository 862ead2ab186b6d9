"""PII masking: phone and ID numbers never reach a log in clear."""

from __future__ import annotations

import io
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.pii import PiiMaskingFilter, install_pii_filter, mask_id_number, mask_id_numbers, mask_phone, mask_pii


@pytest.mark.parametrize(
    "text, masked",
    [
        ("电话13812345678", "电话138****5678"),
        ("138 1234 5678", "138 **** 5678"),
        ("+86 13912345678", "+86 139****5678"),
        ("0877-4567890", "0877-*****90"),
        ("08774567890", "0877*****90"),
        ("身份证530427196803150022。", "身份证5304**********0022。"),
        ("53042719881122123x", "5304**********123x"),
    ],
)
def test_numbers_are_masked_keeping_their_shape(text, masked):
    assert mask_pii(text) == masked
    assert len(mask_pii(text)) == len(text)


def test_text_without_pii_is_unchanged():
    for text in ("欠了三万二千元，12个农民工", "价格12345元", "2026-11-23", ""):
        assert mask_pii(text) == text


def test_an_id_number_is_not_masked_as_a_phone_inside_it():
    assert mask_pii("530427196813812345") == "5304**********2345"


def _logger_with_stream(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(name)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_filter_masks_message_and_arguments_of_a_record():
    logger, stream = _logger_with_stream("test_pii.direct")
    logger.addFilter(PiiMaskingFilter())
    logger.info("citizen %s phone %s id %s", "张三", "13812345678", "530427196803150022")
    logger.info("message text: 我的电话是0877-4567890")
    out = stream.getvalue()
    assert "13812345678" not in out and "530427196803150022" not in out and "4567890" not in out
    assert "138****5678" in out and "5304**********0022" in out and "张三" in out


def test_filter_masks_pii_in_a_traceback():
    logger, stream = _logger_with_stream("test_pii.exc")
    logger.addFilter(PiiMaskingFilter())
    try:
        raise ValueError("bad phone 13812345678")
    except ValueError:
        logger.exception("failed")
    assert "13812345678" not in stream.getvalue() and "138****5678" in stream.getvalue()


def test_installed_on_the_root_it_also_masks_records_from_child_loggers():
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)
    try:
        flt = install_pii_filter()
        logging.getLogger("bot.some.module").info("phone %s", "13812345678")
        assert "13812345678" not in stream.getvalue() and "138****5678" in stream.getvalue()
    finally:
        root.removeHandler(handler)
        root.removeFilter(flt)
        root.setLevel(old_level)


@settings(max_examples=200)
@given(st.text(max_size=100))
def test_masking_never_raises_and_keeps_length(text):
    assert len(mask_pii(text)) == len(text)


def test_fields_are_masked_whatever_their_form():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone(None) is None
    assert "7012345" not in mask_phone("0877-7012345")
    assert mask_phone("call 12345") == "call ***45"  # no known form: only the last two digits stay
    assert mask_id_number("11010119900307123X") == "1101**********123X"
    text = "电话13812345678，身份证11010119900307123X，欠款36000元，日期20261123"
    masked = mask_pii(text)
    assert "138****5678" in masked and "36000" in masked and "20261123" in masked
    assert mask_id_numbers(text) == "电话13812345678，身份证1101**********123X，欠款36000元，日期20261123"


def test_logging_set_up_by_the_application_masks_every_line(caplog):
    """bot.logs imports the filter unconditionally: there is no way to log without masking."""
    from bot.logs import setup_logging

    stream = io.StringIO()
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        setup_logging()
        logging.getLogger("petition.test").warning("电话 %s", "13812345678")
    finally:
        root.removeHandler(handler)
    assert "13812345678" not in stream.getvalue() and "138****5678" in stream.getvalue()
