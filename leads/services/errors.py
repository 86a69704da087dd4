"""The exceptions a refused lead write raises, with Chinese messages by field."""

from django.core.exceptions import ValidationError


class LeadServiceError(ValidationError):
    """A lead write was refused; carries field-level messages in Chinese."""


class InvalidTransition(LeadServiceError):
    """The requested stage change breaks a pipeline rule."""


class EditConflict(LeadServiceError):
    """The lead was changed by someone else since the caller read it."""
