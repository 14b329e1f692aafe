"""个人信息保护法 §6 (minimum necessary) and §51 (de-identification): contact data shown or logged where
the full value is not needed is masked."""

import pytest

from eduapp.domain.masking import mask_contact, mask_email, mask_in_text, mask_phone


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812341234", "138****1234"),
        ("+86 138 1234 1234", "138****1234"),
        ("8613812341234", "138****1234"),
        ("", ""),
        (None, ""),
        ("12345", "***45"),
    ],
)
def test_pipl_art6_phone_numbers_are_masked_to_prefix_and_last_four(number, masked):
    assert mask_phone(number) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("alice@example.com", "a***@example.com"),
        ("z@hbj.local", "z***@hbj.local"),
        ("not-an-address", "***"),
        ("", ""),
    ],
)
def test_pipl_art6_email_addresses_keep_first_letter_and_domain(address, masked):
    assert mask_email(address) == masked


def test_pipl_art6_contact_masks_whichever_it_is():
    assert mask_contact("bob@example.com") == "b***@example.com"
    assert mask_contact("13900001111") == "139****1111"


def test_pipl_art51_free_text_masks_every_address_and_mobile_but_not_other_numbers():
    text = "SMS text for 13812341234 and mail to alice@example.com failed; id 202612061234567, code 550"
    assert mask_in_text(text) == ("SMS text for 138****1234 and mail to a***@example.com failed; "
                                  "id 202612061234567, code 550")
