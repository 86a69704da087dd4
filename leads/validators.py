"""Validators for identifiers that bureau staff type."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 统一社会信用代码 alphabet (no I, O, Z, S, V) and weights.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(body: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(body, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Raise ValidationError unless `value` is a valid 统一社会信用代码.

    The code has 18 characters from the GB 32100-2015 alphabet and its last
    character is the check character computed over the first 17.
    """
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)d位。"),
            code="credit_code_length",
            params={"length": len(code)},
        )
    bad = [char for char in code if char not in CREDIT_CODE_ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s。"),
            code="credit_code_chars",
            params={"chars": "".join(dict.fromkeys(bad))},
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("统一社会信用代码校验位错误：最后一位应为 %(expected)s。"),
            code="credit_code_check",
            params={"expected": expected},
        )
