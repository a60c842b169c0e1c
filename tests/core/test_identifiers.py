"""NHS and CHI number checks: reference.md §8 and §9, decisions.md §11."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from mgso4.core.identifiers import (
    IdentifierCheck,
    accepted_in_mode,
    check_for_mode,
    check_identifier,
    chi_date_is_real,
    is_synthetic,
    modulus_11_check_digit,
)
from mgso4.core.vocab import IdentifierType

NHS = IdentifierType.NHS
CHI = IdentifierType.CHI

#: NHS Data Dictionary [I1] weights, written out here so the tests do not share the
#: implementation's arithmetic (reference.md §8.1).
DATA_DICTIONARY_WEIGHTS = (10, 9, 8, 7, 6, 5, 4, 3, 2)


def data_dictionary_check(first_nine: str) -> int | None:
    """Reference.md §8.1 step by step: None stands for "check 10, invalid"."""
    remainder = (
        sum(int(d) * w for d, w in zip(first_nine, DATA_DICTIONARY_WEIGHTS, strict=True)) % 11
    )
    check = 11 - remainder
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


# --- worked examples, reference.md §8.1 table and §9 -------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("943 476 5919", "9434765919"),  # sum 299, remainder 2, check 9
        ("943 476 5870", "9434765870"),  # sum 308, remainder 0, 11 -> 0
        ("401 023 2137", "4010232137"),  # sum 92, remainder 4, check 7
        ("999 000 0050", "9990000050"),  # the valid test-range form
    ],
)
def test_worked_nhs_examples_are_valid(typed: str, normalised: str) -> None:
    result = check_identifier(typed, NHS)
    assert result.valid
    assert result.normalised == normalised
    assert result.reason is None


def test_wrong_check_digit_names_the_typed_and_expected_digit() -> None:
    result = check_identifier("943 476 5918", NHS)
    assert not result.valid
    assert result.normalised is None
    assert result.reason is not None
    assert "check digit is 8 but should be 9" in result.reason


def test_test_range_number_with_wrong_check_digit_is_invalid() -> None:
    result = check_identifier("999 000 0055", NHS)
    assert not result.valid
    assert result.reason is not None
    assert "check digit is 5 but should be 0" in result.reason


def test_check_of_ten_is_never_valid() -> None:
    # 123 456 789: sum 210, remainder 1, check 10 (reference.md §8.1).
    result = check_identifier("123 456 7890", NHS)
    assert not result.valid
    assert result.reason is not None
    assert "would be 10" in result.reason


def test_eleven_becomes_zero() -> None:
    assert modulus_11_check_digit("943476587") == 0


def test_check_of_ten_gives_none() -> None:
    assert modulus_11_check_digit("123456789") is None


@pytest.mark.parametrize("bad", ["12345678", "1234567890", "12345678a", "١٢٣٤٥٦٧٨٩"])
def test_check_digit_refuses_anything_but_nine_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="nine digits"):
        modulus_11_check_digit(bad)


@given(nine_digits)
def test_check_digit_agrees_with_the_data_dictionary(first_nine: str) -> None:
    # The nhs-number package does the sum; this proves it follows [I1], not the reversed
    # "subtract 11 from the remainder" trap [I4].
    assert modulus_11_check_digit(first_nine) == data_dictionary_check(first_nine)


# --- placeholders ------------------------------------------------------------------------------


@pytest.mark.parametrize("digit", "0123456789")
def test_all_same_digit_placeholder_passes_the_checksum(digit: str) -> None:
    # Why the placeholder rule is needed at all: the checksum alone lets these through.
    assert data_dictionary_check(digit * 9) == int(digit)


@pytest.mark.parametrize("id_type", [NHS, CHI])
@pytest.mark.parametrize("digit", "0123456789")
def test_all_same_digit_placeholder_is_invalid(digit: str, id_type: IdentifierType) -> None:
    result = check_identifier(digit * 10, id_type)
    assert not result.valid
    assert result.reason is not None
    assert "placeholder" in result.reason


def test_one_digit_different_from_a_placeholder_is_not_called_a_placeholder() -> None:
    # 111 111 1112 fails only on its check digit (should be 1).
    result = check_identifier("1111111112", NHS)
    assert result.reason is not None
    assert "placeholder" not in result.reason
    assert "check digit is 2 but should be 1" in result.reason


# --- input forms -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "9434765919",
        "943 476 5919",
        "943-476-5919",
        "943 476-5919",
        "  943 476 5919\n",  # pasted with surrounding whitespace
    ],
)
def test_spaces_and_hyphens_are_accepted_and_removed(typed: str) -> None:
    result = check_identifier(typed, NHS)
    assert result.valid
    assert result.normalised == "9434765919"


@pytest.mark.parametrize(
    ("typed", "named_in_reason"),
    [
        ("943 476 591A", '"A"'),
        ("943.476.5919", '"."'),
        ("943/476/5919", '"/"'),
        ("+449434765919", '"+"'),
        ("943\u00a0476\u00a05919", "NO-BREAK SPACE"),
        ("943\t476 5919", "a tab (U+0009)"),
        ("943\n476 5919", "a line break (U+000A)"),
        ("943\x00476 5919", "U+0000 (a control character)"),
        ("٩٤٣٤٧٦٥٩١٩", "ARABIC-INDIC DIGIT NINE"),
        ("９４３４７６５９１９", "FULLWIDTH DIGIT NINE"),
    ],
)
def test_other_characters_are_refused_by_name(typed: str, named_in_reason: str) -> None:
    result = check_identifier(typed, NHS)
    assert not result.valid
    assert result.reason is not None
    assert named_in_reason in result.reason
    assert "only the digits 0-9" in result.reason


@pytest.mark.parametrize("typed", ["-9434765919", "9434765919-", "943 476 5919 -"])
def test_hyphen_at_either_end_is_refused(typed: str) -> None:
    result = check_identifier(typed, NHS)
    assert not result.valid
    assert result.reason is not None
    assert "hyphen" in result.reason


@pytest.mark.parametrize(
    ("typed", "count"),
    [("943 476 591", "9 digits"), ("943 476 59190", "11 digits"), ("9", "1 digit")],
)
def test_wrong_length_says_how_many_digits_there_were(typed: str, count: str) -> None:
    result = check_identifier(typed, NHS)
    assert not result.valid
    assert result.reason is not None
    assert "has 10 digits" in result.reason
    assert f"this has {count}." in result.reason


@pytest.mark.parametrize("typed", ["", "   ", "\n"])
@pytest.mark.parametrize("id_type", [NHS, CHI])
def test_nothing_entered_is_invalid(typed: str, id_type: IdentifierType) -> None:
    result = check_identifier(typed, id_type)
    assert not result.valid
    assert result.reason == f"No {id_type.value.upper()} number was entered."


def test_only_separators_is_refused() -> None:
    result = check_identifier(" - ", NHS)
    assert not result.valid
    assert result.reason is not None


def test_reason_names_the_identifier_type_the_user_chose() -> None:
    result = check_identifier("abc", CHI)
    assert result.reason is not None
    assert result.reason.startswith("A CHI number")


# --- synthetic numbers and modes (decisions.md §11) ----------------------------------------------


def test_valid_number_starting_with_9_is_synthetic() -> None:
    assert check_identifier("999 000 0050", NHS).synthetic


def test_valid_number_starting_with_8_is_not_synthetic() -> None:
    # 8 999 999 99x: the first digit just below the synthetic range.
    first_nine = "899999999"
    check = modulus_11_check_digit(first_nine)
    assert check is not None
    result = check_identifier(first_nine + str(check), NHS)
    assert result.valid
    assert not result.synthetic


def test_invalid_number_starting_with_9_is_not_marked_synthetic() -> None:
    assert not check_identifier("999 000 0055", NHS).synthetic


@pytest.mark.parametrize(
    ("normalised", "expected"),
    [
        ("9990000050", True),
        ("9000000000", True),
        ("8999999999", False),
        ("0101011237", False),
        ("999 000 0050", False),  # not normalised
        ("999000005", False),  # 9 digits
        ("", False),
    ],
)
def test_is_synthetic(normalised: str, expected: bool) -> None:
    assert is_synthetic(normalised) is expected


def test_clinical_mode_accepts_a_synthetic_number_with_a_warning() -> None:
    result = check_identifier("999 000 0050", NHS)
    message = check_for_mode(result, training=False)
    assert message is not None
    assert "synthetic test number" in message
    assert accepted_in_mode(result, training=False)


def test_clinical_mode_accepts_a_real_number_silently() -> None:
    result = check_identifier("401 023 2137", NHS)
    assert check_for_mode(result, training=False) is None
    assert accepted_in_mode(result, training=False)


def test_training_mode_accepts_a_synthetic_number_silently() -> None:
    result = check_identifier("999 000 0050", NHS)
    assert check_for_mode(result, training=True) is None
    assert accepted_in_mode(result, training=True)


def test_training_mode_refuses_a_real_number() -> None:
    result = check_identifier("401 023 2137", NHS)
    message = check_for_mode(result, training=True)
    assert message is not None
    assert "only synthetic test numbers" in message
    assert not accepted_in_mode(result, training=True)


def test_training_mode_refuses_a_real_looking_chi_number_and_says_why() -> None:
    result = check_identifier("0101011237", CHI)
    message = check_for_mode(result, training=True)
    assert message is not None
    assert "training range" in message
    assert not accepted_in_mode(result, training=True)


def test_wc24_a_chi_starting_with_9_is_the_training_range() -> None:
    # WC-24 (decisions.md §11): a CHI "day" of 90-99 is never a date, so such a number can
    # never be a real person's; with a right Modulus 11 digit it is training's synthetic CHI.
    result = check_identifier("900 000 0009", CHI)
    assert (result.valid, result.synthetic) == (True, True)
    assert accepted_in_mode(result, training=True)
    assert not accepted_in_mode(result, training=False)
    assert "not accepted in clinical mode" in (check_for_mode(result, training=False) or "")
    assert not check_identifier("900 000 0001", CHI).valid  # wrong check digit


def test_wc24_a_date_of_birth_contradicting_the_chi_warns() -> None:
    from datetime import date

    from mgso4.core.identifiers import chi_birth_date_warning

    assert chi_birth_date_warning("0101011237", date(2001, 1, 1)) is None
    warning = chi_birth_date_warning("0101011237", date(2001, 1, 2))
    assert warning is not None and "01/01/01" in warning and "02/01/2001" in warning


@pytest.mark.parametrize("training", [True, False])
def test_invalid_number_is_refused_in_either_mode_with_its_reason(training: bool) -> None:
    result = check_identifier("943 476 5918", NHS)
    assert check_for_mode(result, training=training) == result.reason
    assert not accepted_in_mode(result, training=training)


# --- CHI numbers (reference.md §8.2) -----------------------------------------------------------


def test_chi_worked_example_is_valid() -> None:
    # 010101 + 123 + check 7: sum 37, remainder 4 [I3].
    result = check_identifier("0101011237", CHI)
    assert result.valid
    assert result.normalised == "0101011237"
    assert not result.synthetic


def test_chi_keeps_its_leading_zero() -> None:
    assert check_identifier("010 101 1237", CHI).normalised == "0101011237"


def test_chi_with_a_real_date_and_wrong_check_digit_is_invalid() -> None:
    result = check_identifier("0101011238", CHI)
    assert not result.valid
    assert result.reason is not None
    assert "check digit is 8 but should be 7" in result.reason


def test_chi_with_an_impossible_date_is_invalid_even_with_the_right_check_digit() -> None:
    first_nine = "310299123"  # 31 February
    check = modulus_11_check_digit(first_nine)
    assert check is not None
    result = check_identifier(first_nine + str(check), CHI)
    assert not result.valid
    assert result.reason is not None
    assert "31/02/99 is not a real date" in result.reason


def test_the_same_digits_as_an_nhs_number_skip_the_date_rule() -> None:
    # The user says which identifier it is; an NHS number carries no date.
    first_nine = "310299123"
    check = modulus_11_check_digit(first_nine)
    assert check is not None
    assert check_identifier(first_nine + str(check), NHS).valid


@pytest.mark.parametrize(
    ("ddmmyy", "real"),
    [
        ("010101", True),
        ("311299", True),
        ("320199", False),  # day 32
        ("000199", False),  # day 0
        ("011399", False),  # month 13
        ("010099", False),  # month 0
        ("310499", False),  # 31 April
        ("300499", True),  # 30 April
        ("290200", True),  # 2000 was a leap year (1900 was not: either century counts)
        ("290201", False),  # neither 1901 nor 2001 was a leap year
        ("290204", True),  # 1904 and 2004 were leap years
        ("280201", True),
        ("310299", False),
        ("01010", False),  # five digits
        ("01O101", False),  # letter O
    ],
)
def test_chi_date_is_real(ddmmyy: str, real: bool) -> None:
    assert chi_date_is_real(ddmmyy) is real


@pytest.mark.parametrize(("ddmmyy", "valid"), [("290200", True), ("290201", False)])
def test_chi_leap_day_decides_validity(ddmmyy: str, valid: bool) -> None:
    first_nine = ddmmyy + "123"
    check = modulus_11_check_digit(first_nine)
    assert check is not None
    assert check_identifier(first_nine + str(check), CHI).valid is valid


# --- display and CLI output --------------------------------------------------------------------


def test_nhs_number_displays_as_3_3_4() -> None:
    assert check_identifier("9434765919", NHS).display == "943 476 5919"


def test_chi_number_displays_3_3_4() -> None:
    # Decisions.md §11 / issue 12: CHI numbers show in the 3-3-4 spacing, as NHS numbers do.
    assert check_identifier("0101011237", CHI).display == "010 101 1237"


def test_invalid_number_has_no_display() -> None:
    assert check_identifier("943 476 5918", NHS).display is None


def test_cli_dict_has_exactly_the_four_documented_keys() -> None:
    result = check_identifier("999-000-0050", NHS)
    assert result.as_cli_dict() == {
        "valid": True,
        "normalised": "9990000050",
        "synthetic": True,
        "reason": None,
    }


def test_cli_dict_for_an_invalid_number_carries_the_reason() -> None:
    result = check_identifier("943 476 5918", NHS)
    cli = result.as_cli_dict()
    assert cli["valid"] is False
    assert cli["normalised"] is None
    assert cli["reason"] == result.reason


def test_id_type_may_be_given_as_its_stored_string() -> None:
    assert check_identifier("0101011237", "chi").type is CHI  # type: ignore[arg-type]


# --- the result model ----------------------------------------------------------------------------


def test_result_is_frozen() -> None:
    result = check_identifier("9434765919", NHS)
    with pytest.raises(ValidationError):
        result.valid = False  # type: ignore[misc]


@pytest.mark.parametrize(
    "fields",
    [
        {"valid": True, "normalised": None, "synthetic": False, "reason": None},
        {"valid": True, "normalised": "943476591", "synthetic": False, "reason": None},
        {"valid": True, "normalised": "9434765919", "synthetic": True, "reason": "x"},
        {"valid": False, "normalised": "9434765919", "synthetic": False, "reason": "x"},
        {"valid": False, "normalised": None, "synthetic": False, "reason": None},
        {"valid": False, "normalised": None, "synthetic": True, "reason": "x"},
    ],
)
def test_result_refuses_inconsistent_fields(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        IdentifierCheck(type=NHS, **fields)


# --- properties ----------------------------------------------------------------------------------


@given(st.text(), st.sampled_from(list(IdentifierType)))
def test_any_text_gives_a_result_and_never_raises(text: str, id_type: IdentifierType) -> None:
    result = check_identifier(text, id_type)
    assert isinstance(result, IdentifierCheck)
    if result.valid:
        assert result.normalised is not None
        assert len(result.normalised) == 10
        assert set(result.normalised) <= set("0123456789")
    else:
        assert result.normalised is None
        assert result.reason


@given(st.text(alphabet="0123456789 -", max_size=20), st.sampled_from(list(IdentifierType)))
def test_digit_like_text_gives_a_result_and_never_raises(
    text: str, id_type: IdentifierType
) -> None:
    # Plain st.text() rarely produces 10 digits; this reaches the length and checksum rules.
    result = check_identifier(text, id_type)
    assert result.valid == (result.normalised is not None)


@given(nine_digits, st.integers(min_value=0, max_value=9))
def test_only_the_computed_check_digit_completes_a_valid_nhs_number(
    first_nine: str, last_digit: int
) -> None:
    expected = data_dictionary_check(first_nine)
    number = first_nine + str(last_digit)
    if expected is None:
        assert not check_identifier(number, NHS).valid
        return
    if len(set(number)) == 1:  # a placeholder: invalid whatever the checksum says
        assert not check_identifier(number, NHS).valid
        return
    assert check_identifier(number, NHS).valid is (last_digit == expected)


@given(nine_digits)
def test_appending_the_computed_check_digit_gives_a_valid_nhs_number(first_nine: str) -> None:
    expected = data_dictionary_check(first_nine)
    number = first_nine + str(expected)
    assume(expected is not None and len(set(number)) > 1)
    result = check_identifier(number, NHS)
    assert result.valid
    assert result.normalised == number
