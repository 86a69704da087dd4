"""The 统一社会信用代码 check character (GB 32100-2015)."""

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from leads.validators import CREDIT_CODE_ALPHABET, validate_credit_code


class CreditCodeTests(SimpleTestCase):
    def test_real_code_passes(self):
        validate_credit_code("91350100M000100Y43")

    def test_lower_case_and_spaces_are_tolerated(self):
        validate_credit_code(" 91350100m000100y43 ")

    def test_every_single_wrong_character_fails(self):
        code = "91350100M000100Y43"
        for position in range(18):
            for replacement in CREDIT_CODE_ALPHABET:
                if replacement == code[position]:
                    continue
                wrong = code[:position] + replacement + code[position + 1 :]
                with self.assertRaises(ValidationError, msg=wrong):
                    validate_credit_code(wrong)

    def test_wrong_length_says_so(self):
        with self.assertRaises(ValidationError) as caught:
            validate_credit_code("91350100M000100Y4")
        self.assertIn("18位", caught.exception.messages[0])

    def test_forbidden_letters_are_named(self):
        with self.assertRaises(ValidationError) as caught:
            validate_credit_code("91350100I000100Y43")
        self.assertIn("I", caught.exception.messages[0])

    def test_check_character_is_named(self):
        with self.assertRaises(ValidationError) as caught:
            validate_credit_code("91350100M000100Y44")
        self.assertIn("3", caught.exception.messages[0])
