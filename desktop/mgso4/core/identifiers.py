"""NHS number and CHI number checks (decisions.md §11; reference.md §8).

The user says which identifier was entered: the two share the same 10-digit shape and the
same check digit, so the app cannot tell them apart by the digits alone (reference.md §8.2).

Rules, in the order they are applied (the first that fails gives the reason):

1. Characters: only the digits 0-9, with spaces or hyphens between them ("943 476 5919",
   "943-476-5919"). Surrounding whitespace is ignored (pasted text often carries a newline).
   Anything else - letters, other punctuation, digits from other scripts - is refused, never
   silently dropped.
2. Length: exactly 10 digits, kept as text because a CHI number may start with 0 [I3].
3. Placeholders: all-same-digit numbers (0000000000 ... 9999999999) are refused; every one of
   them passes the checksum but none is a real number (decisions.md §11; reference.md §8.1 [I5]).
4. CHI only: the first six digits are a date of birth DDMMYY [I2][I3] (see ``chi_date_is_real``
   for the century rule).
5. Check digit: Modulus 11 per the NHS Data Dictionary [I1] - weights 10..2 on digits 1-9,
   check = 11 - (sum mod 11); 11 means 0; 10 means no valid number has those nine digits. CHI
   uses the same rule (reference.md §8.2, DERIVED; PHS lists 0101011237 as valid [I3]).

Numbers starting with 9 are synthetic test numbers (decisions.md §11): clinical mode warns,
training mode accepts only those (``check_for_mode``).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Final

from nhs_number.validate import calculate_checksum as _library_calculate_checksum
from pydantic import ConfigDict, model_validator

from mgso4.core.model import CoreModel
from mgso4.core.vocab import IdentifierType

#: Digits in an NHS or CHI number [I1][I2].
IDENTIFIER_LENGTH: Final = 10

#: First digit of synthetic test numbers (decisions.md §11; the nhs-number package's range
#: 9000000000-9999999999 "Not to be issued (Synthetic/test patients PDS)" [I5]).
SYNTHETIC_FIRST_DIGIT: Final = "9"

#: Characters accepted between digits on input (reference.md §8.1).
_SEPARATORS: Final = frozenset(" -")
_ASCII_DIGITS: Final = frozenset("0123456789")

#: Control characters have no Unicode name; these are the ones a paste is likely to carry.
_CONTROL_NAMES: Final = {"\t": "a tab", "\n": "a line break", "\r": "a line break"}

_TYPE_NAMES: Final = {IdentifierType.NHS: "NHS number", IdentifierType.CHI: "CHI number"}


class IdentifierCheck(CoreModel):
    """The outcome of checking one typed identifier.

    Invariants (enforced on construction): a valid result has a 10-digit ``normalised`` and no
    ``reason``; an invalid one has no ``normalised``, a ``reason``, and is never ``synthetic``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    valid: bool
    #: The 10 digits as text (a CHI number may start with 0), or None when invalid.
    normalised: str | None
    #: True only for a valid number starting with 9 (a synthetic test number).
    synthetic: bool
    #: Why the number is not valid, in plain words; None when valid.
    reason: str | None
    type: IdentifierType

    @model_validator(mode="after")
    def _consistent(self) -> IdentifierCheck:
        if self.valid:
            if self.normalised is None or not _is_ten_ascii_digits(self.normalised):
                raise ValueError("a valid identifier needs its 10 normalised digits")
            if self.reason is not None:
                raise ValueError("a valid identifier has no reason")
        else:
            if self.normalised is not None:
                raise ValueError("an invalid identifier has no normalised form")
            if not self.reason:
                raise ValueError("an invalid identifier needs a reason")
            if self.synthetic:
                raise ValueError("only a valid identifier can be synthetic")
        return self

    @property
    def display(self) -> str | None:
        """The number as shown on screen and paper, or None when invalid.

        NHS and CHI numbers are grouped 3-3-4 ("943 476 5919"). That grouping is common
        practice, not a verified formal standard (reference.md §8.1 marks it UNVERIFIED).
        """
        if self.normalised is None:
            return None
        digits = self.normalised
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"

    def as_cli_dict(self) -> dict[str, object]:
        """The four keys printed by ``mgso4 validate-id --json``."""
        return {
            "valid": self.valid,
            "normalised": self.normalised,
            "synthetic": self.synthetic,
            "reason": self.reason,
        }


def check_identifier(text: str, id_type: IdentifierType) -> IdentifierCheck:
    """Check a typed NHS or CHI number; never raises for any string.

    Args:
        text: What the user typed or pasted; spaces and hyphens between digits are allowed.
        id_type: Which identifier the user says this is (decisions.md §11).

    Returns:
        The check, with the 10 normalised digits when valid, or a plain-words reason naming
        the problem when not (e.g. "The check digit is 8 but should be 9 ...").

    Raises:
        ValueError: Only if ``id_type`` is not an identifier type (a programming error).
    """
    id_type = IdentifierType(id_type)
    name = _TYPE_NAMES[id_type]
    digits_or_reason = _digits_from_text(text, name)
    if isinstance(digits_or_reason, _Refusal):
        return _invalid(id_type, digits_or_reason.reason)
    digits = digits_or_reason

    if len(set(digits)) == 1:
        return _invalid(
            id_type,
            f"{digits} is a placeholder (all digits the same), not a real {name}.",
        )

    # A CHI number starting with 9 has a "day" of 90-99, never a date, so it can never be a
    # real person's CHI: it is the synthetic training range (decisions.md §11), checked by its
    # Modulus 11 digit like any other. Clinical mode refuses it (``accepted_in_mode``).
    synthetic_chi = id_type is IdentifierType.CHI and digits[0] == SYNTHETIC_FIRST_DIGIT
    if id_type is IdentifierType.CHI and not synthetic_chi and not chi_date_is_real(digits[:6]):
        day, month, year = digits[0:2], digits[2:4], digits[4:6]
        return _invalid(
            id_type,
            f"A CHI number starts with the date of birth as DDMMYY, but {day}/{month}/{year} "
            f"is not a real date (in 19{year} or 20{year}).",
        )

    expected_check = modulus_11_check_digit(digits[:9])
    if expected_check is None:
        return _invalid(
            id_type,
            f"No valid {name} starts with {digits[:9]}: its check digit would be 10, "
            "which is never allowed. Check the first nine digits.",
        )
    actual_check = int(digits[9])
    if actual_check != expected_check:
        return _invalid(
            id_type,
            f"The check digit is {actual_check} but should be {expected_check}; "
            "a digit has probably been mistyped.",
        )

    return IdentifierCheck(
        valid=True,
        normalised=digits,
        synthetic=is_synthetic(digits),
        reason=None,
        type=id_type,
    )


def modulus_11_check_digit(first_nine_digits: str) -> int | None:
    """The Modulus 11 check digit for the first nine digits, or None when it would be 10.

    NHS Data Dictionary [I1] (reference.md §8.1): weights 10..2, check = 11 - (sum mod 11),
    11 means 0, 10 means no valid number exists. The sum is computed by the nhs-number package;
    the 11 and 10 cases are decided here so the rule holds whatever the package returns.

    Args:
        first_nine_digits: Exactly nine ASCII digits.

    Raises:
        ValueError: If the argument is not nine ASCII digits (a programming error: callers
            pass digits already checked by ``check_identifier``).
    """
    if len(first_nine_digits) != 9 or not set(first_nine_digits) <= _ASCII_DIGITS:
        raise ValueError(f"expected nine digits 0-9, got {first_nine_digits!r}")
    library_check = _library_calculate_checksum(first_nine_digits)
    if library_check is None:  # pragma: no cover - the package returns None only for length != 9
        raise ValueError(f"the nhs-number package could not check {first_nine_digits!r}")
    if library_check == 11:  # the Data Dictionary's 11 -> 0 rule, should the package not apply it
        return 0
    if library_check == 10:  # [I1]: a check of 10 means the number is invalid
        return None
    return library_check


def chi_date_is_real(ddmmyy: str) -> bool:
    """Whether six digits DDMMYY are a real calendar date, for a CHI number [I2][I3].

    A two-digit year does not say the century, so the date counts as real if the day and month
    exist in either 19YY or 20YY. In practice this only matters for 29 February: 290200 is real
    (2000 was a leap year) and 290201 is not (neither 1901 nor 2001 was). No "not in the future"
    test is made, because the century cannot be known from the number.

    Args:
        ddmmyy: Six ASCII digits, the first six of a CHI number.
    """
    if len(ddmmyy) != 6 or not set(ddmmyy) <= _ASCII_DIGITS:
        return False
    day, month, two_digit_year = int(ddmmyy[0:2]), int(ddmmyy[2:4]), int(ddmmyy[4:6])
    for century in (1900, 2000):
        try:
            date(century + two_digit_year, month, day)
        except ValueError:
            continue
        return True
    return False


def is_synthetic(normalised: str) -> bool:
    """Whether a normalised number is a synthetic test number (starts with 9; decisions.md §11).

    Args:
        normalised: 10 digits as returned in ``IdentifierCheck.normalised``. Anything that is
            not 10 ASCII digits is not a synthetic number, so the answer is False.
    """
    return _is_ten_ascii_digits(normalised) and normalised.startswith(SYNTHETIC_FIRST_DIGIT)


def check_for_mode(result: IdentifierCheck, training: bool) -> str | None:
    """The message to show for this identifier in clinical or training mode, or None.

    Decisions.md §11: clinical mode warns about a synthetic test number (it is still accepted);
    training mode accepts only synthetic numbers, so a real-looking number is refused there. An
    invalid number always returns its reason. Use ``accepted_in_mode`` to tell a warning from
    a refusal.

    Args:
        result: The output of ``check_identifier``.
        training: True in training mode, False in clinical mode.
    """
    name = _TYPE_NAMES[result.type]
    if not result.valid:
        return result.reason
    if training and not result.synthetic:
        if result.type is IdentifierType.CHI:
            return (
                "Training mode accepts only synthetic test numbers, which start with 9. A "
                "CHI number starting with 9 (a day of 90-99) can never be a real person's, "
                "so that is the training range (the check digit must still be right), "
                "e.g. 900 000 0009."
            )
        return (
            "Training mode accepts only synthetic test numbers, which start with 9. "
            f"This looks like a real {name}: do not enter real patients in training mode."
        )
    if not training and result.synthetic and result.type is IdentifierType.CHI:
        return (
            "A CHI number starting with 9 is a training number (its date part is not a date): "
            "it is not accepted in clinical mode."
        )
    if not training and result.synthetic:
        return (
            f"This is a synthetic test number (it starts with 9), not a real patient's {name}. "
            "Check it before recording care."
        )
    return None


def accepted_in_mode(result: IdentifierCheck, training: bool) -> bool:
    """Whether the identifier may be used in this mode (decisions.md §11).

    Clinical mode accepts any valid number (a synthetic one with a warning); training mode
    accepts only valid synthetic numbers.

    Args:
        result: The output of ``check_identifier``.
        training: True in training mode, False in clinical mode.
    """
    if not result.valid:
        return False
    if training:
        return result.synthetic
    # A synthetic CHI (day 90-99) can never be a real patient's number.
    return not (result.synthetic and result.type is IdentifierType.CHI)


class _Refusal:
    """Why typed text could not be read as 10 digits (kept apart from the digits themselves)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _digits_from_text(text: str, name: str) -> str | _Refusal:
    """The digits from typed text, or a refusal naming the first problem."""
    stripped = text.strip()
    if not stripped:
        return _Refusal(f"No {name} was entered.")
    for character in stripped:
        if character not in _ASCII_DIGITS and character not in _SEPARATORS:
            return _Refusal(
                f"{_article(name)} {name} contains only the digits 0-9 (spaces or hyphens may "
                f"separate them); {_describe_character(character)} is not allowed."
            )
    # A leading or trailing hyphen is not a separator; "-9434765919" may be a mistyped sign.
    if stripped[0] == "-" or stripped[-1] == "-":
        return _Refusal(f"A hyphen may only separate digits; this {name} starts or ends with one.")
    digits = "".join(character for character in stripped if character in _ASCII_DIGITS)
    if len(digits) != IDENTIFIER_LENGTH:
        noun = "digit" if len(digits) == 1 else "digits"
        return _Refusal(
            f"{_article(name)} {name} has {IDENTIFIER_LENGTH} digits; "
            f"this has {len(digits)} {noun}."
        )
    return digits


def _describe_character(character: str) -> str:
    """A character named so the user can see it, even when it is invisible on screen."""
    if character.isprintable() and not character.isspace():
        described = f'"{character}"'
        if character.isdigit():
            # Digits from other scripts look like numbers but are not 0-9.
            described += f" ({unicodedata.name(character, 'a digit from another script')})"
        return described
    code_point = f"U+{ord(character):04X}"
    if character in _CONTROL_NAMES:
        return f"{_CONTROL_NAMES[character]} ({code_point})"
    return f"the character {code_point} ({unicodedata.name(character, 'a control character')})"


def _article(name: str) -> str:
    # "An NHS number" (said en-aitch-ess), "A CHI number".
    return "An" if name.startswith("NHS") else "A"


def _is_ten_ascii_digits(text: str) -> bool:
    return len(text) == IDENTIFIER_LENGTH and set(text) <= _ASCII_DIGITS


def _invalid(id_type: IdentifierType, reason: str) -> IdentifierCheck:
    return IdentifierCheck(
        valid=False, normalised=None, synthetic=False, reason=reason, type=id_type
    )


def chi_birth_date_warning(chi: str, date_of_birth: date | None) -> str | None:
    """A warning when a date of birth contradicts a CHI number's DDMMYY (decisions.md §11).

    None when there is no date of birth, the number is synthetic, or they agree (the century
    is not in a CHI number, so only the day, month and two-digit year are compared).
    """
    digits = "".join(ch for ch in chi if ch in _ASCII_DIGITS)
    if date_of_birth is None or len(digits) != IDENTIFIER_LENGTH or digits[0] == "9":
        return None
    expected = date_of_birth.strftime("%d%m%y")
    if digits[:6] == expected:
        return None
    return (
        f"The CHI number starts {digits[0:2]}/{digits[2:4]}/{digits[4:6]}, but the date of "
        f"birth entered is {date_of_birth.strftime('%d/%m/%Y')}: check both."
    )
