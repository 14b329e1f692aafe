"""What Chinese users type where a code, a number or a list is expected (issue 16, item 4: forgiving
input): full-width forms, lists separated by 、 or ，, mobile numbers with +86, spaces or dashes."""

import pytest

from eduapp.domain.delivery import PermanentDeliveryError, normalise_mobile
from eduapp.domain.people import normalise_phone, phone_problem
from eduapp.domain.questions import answer_from_text, indices_from_letters
from eduapp.domain.typed_input import (
    fold_width,
    is_mobile,
    mobile_digits,
    mobile_problem,
    phone_fragment,
    split_codes,
    split_list,
)
from eduapp.domain.uscc import normalise as normalise_uscc


@pytest.mark.parametrize(("typed", "read"), [
    ("Ａ，Ｂ", "A,B"),  # full-width letters and comma
    ("１２３４５", "12345"),  # full-width digits
    ("（１）；：？！", "(1);:?!"),  # full-width punctuation
    ("a\u3000b", "a b"),  # the ideographic space
    ("大气污染防治法、水法", "大气污染防治法、水法"),  # Chinese text (and 、) as it is
    ("第九十九条", "第九十九条"),
    ("", ""),
    (None, ""),
])
def test_fold_width_reads_full_width_ascii_as_ascii_and_leaves_chinese_alone(typed, read):
    assert fold_width(typed) == read


@pytest.mark.parametrize(("typed", "items"), [
    ("a,b", ["a", "b"]),
    ("a，b", ["a", "b"]),  # full-width comma
    ("a、b", ["a", "b"]),  # 顿号
    ("a；b;c", ["a", "b", "c"]),
    ("a b\tc\nd", ["a", "b", "c", "d"]),  # white space
    ("a\u3000b", ["a", "b"]),  # ideographic space
    ("行政处罚法（2021）、水法", ["行政处罚法（2021）", "水法"]),  # items keep their characters
    (" a ,, a 、b ", ["a", "b"]),  # blanks and repeats dropped, order kept
    ("", []),
    (None, []),
])
def test_split_list_accepts_commas_dunhao_semicolons_and_spaces(typed, items):
    assert split_list(typed) == items


def test_codes_and_usernames_typed_full_width_are_read_as_ascii():
    assert split_codes("ｚｈａｎｇ３、li4，ＡＩＲ－９９－２") == ["zhang3", "li4", "AIR-99-2"]


def test_split_list_without_spaces_keeps_items_that_hold_spaces():
    assert split_list("大气 污染、水，土壤\n噪声", spaces=False) == ["大气 污染", "水", "土壤", "噪声"]


@pytest.mark.parametrize(("typed", "digits"), [
    ("13800138000", "13800138000"),
    ("+8613800138000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("0086-138-0013-8000", "13800138000"),
    ("008613800138000", "13800138000"),
    ("＋８６　１３８００１３８０００", "13800138000"),  # typed full-width
    ("(138) 0013.8000", "13800138000"),
    ("8613800138000", "8613800138000"),  # no + or 00: not a country code, left as typed (refused)
])
def test_mobile_numbers_with_country_code_spaces_and_dashes(typed, digits):
    assert mobile_digits(typed) == digits


@pytest.mark.parametrize("typed", ["13800138000", "+86 138-0013-8000", "0086 13800138000", "１３８００１３８０００"])
def test_valid_mobiles_pass_every_check(typed):
    assert is_mobile(typed)
    assert mobile_problem(typed) is None
    assert phone_problem(typed) is None
    assert normalise_phone(typed) == "13800138000"
    assert normalise_mobile(typed) == "13800138000"  # the SMS channel reads numbers the same way


@pytest.mark.parametrize("typed", ["1380013800", "23800138000", "+85213800138000", "010-12345678", "138OO138OOO",
                                   "+86", "8613800138000"])
def test_other_numbers_are_refused_by_name(typed):
    problem = mobile_problem(typed, "contact_phone")
    assert problem is not None and problem.field == "contact_phone"
    assert "11-digit mainland mobile" in problem.msgid
    assert phone_problem(typed).field == "phone"
    with pytest.raises(PermanentDeliveryError):
        normalise_mobile(typed)


@pytest.mark.parametrize(("typed", "fragment"), [
    ("+86 139 0000", "1390000"), ("0086-139", "139"), ("139-0000-1111", "13900001111"), ("１３９", "139"),
    ("张三", "张三"),  # not a number: searched as it is (and finds no phone)
])
def test_part_of_a_phone_number_as_a_search_box_gets_it(typed, fragment):
    assert phone_fragment(typed) == fragment


def test_an_empty_phone_is_no_problem_where_it_is_optional():
    assert mobile_problem("") is None and mobile_problem(None) is None


@pytest.mark.parametrize(("typed", "indices"), [
    ("ACD", (0, 2, 3)),
    ("Ａ，Ｂ", (0, 1)),
    ("a、c", (0, 2)),
    ("Ｃ；Ａ", (0, 2)),
    ("A　B", (0, 1)),
    ("AA", None),  # repeated
    ("Ａ，Ａ", None),
    ("E", None),  # no such option
])
def test_answer_letters_typed_full_width_or_with_chinese_separators(typed, indices):
    assert indices_from_letters(typed, 4) == indices


def test_true_false_answers_typed_full_width():
    assert answer_from_text("true_false", "Ｔ", 0) is True
    assert answer_from_text("true_false", "ｆａｌｓｅ", 0) is False


def test_uscc_fields_fold_full_width_and_spaces():
    assert normalise_uscc(" ９１３２ ０５００ｍａ１ｍｋ８ｘｘ　") == "91320500MA1MK8XX"
