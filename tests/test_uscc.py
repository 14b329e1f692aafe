import pytest

from eduapp.domain import uscc

# Codes of real, public registrations (printed on their business licences).
VALID = [
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000600037341L",
    "91350100M000100Y43",
]


@pytest.mark.parametrize("code", VALID)
def test_valid_codes(code):
    assert uscc.validate(code) == code


def test_normalises_case_spaces_and_full_width():
    assert uscc.validate(" 9144030071526726xg ") == "9144030071526726XG"
    assert uscc.validate("９１４４０３００１９２２０３８２１６") == "914403001922038216"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91440300192203821", "18 characters"),  # 17 characters
        ("9144030019220382160", "18 characters"),
        ("914403001922038217", "check character"),  # last digit changed
        ("914403001922O38216", "not allowed"),  # letter O
        ("91ABCDEF1922038216", "administrative division"),
        ("", "18 characters"),
    ],
)
def test_invalid_codes_say_why(code, fragment):
    with pytest.raises(uscc.USCCError) as err:
        uscc.validate(code)
    assert fragment in str(err.value)
    assert not uscc.is_valid(code)


def test_every_single_character_typo_is_caught():
    code = "914403001922038216"
    for position in range(18):
        for ch in uscc.ALPHABET:
            if ch == code[position]:
                continue
            typo = code[:position] + ch + code[position + 1 :]
            assert not uscc.is_valid(typo), typo


def test_make_code_builds_valid_codes():
    assert uscc.is_valid(uscc.make_code("91", "320100", "MA1DEMA0"))


@pytest.mark.parametrize("prefix", ["N2", "Y1", "A1", "51"])
def test_a_registration_authority_may_be_a_letter(prefix):
    """N (农业), Y (其他) and the like: python-stdnum's own validate refuses these; ours takes them."""
    code = uscc.make_code(prefix, "320100", "MA1DEMA0")
    assert uscc.validate(code) == code
    assert uscc.validate(code.lower()) == code
    assert not uscc.is_valid(code[:17] + ("0" if code[17] != "0" else "1"))


@pytest.mark.parametrize("code", VALID)
def test_the_check_character_agrees_with_python_stdnum(code):
    from stdnum.cn import uscc as stdnum_uscc

    assert stdnum_uscc.is_valid(code) and uscc.check_character(code[:17]) == code[17]
