"""Long text fields that say their limit instead of cutting what is pasted into them.

A browser's ``maxlength`` drops whatever is pasted past the limit without a word. Instead, each
long text field (a textarea with a ``max_length``) states its limit in its help text, carries it
for the counter script (``cms/static/js/text-counter.js``: "120 / 2.000 karakter"), and a text
over the limit is refused with a message saying by how much, keeping the text as typed."""

from __future__ import annotations

import functools

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


@deconstructible
class TextLimitValidator:
    """At most ``limit`` characters; the refusal says how many there are and how many too many."""

    code = "too_long"

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value) -> None:
        length = len(value)
        if length > self.limit:
            raise ValidationError(
                _(
                    "This text has %(count)s characters; at most %(limit)s are allowed. "
                    "Shorten it by %(over)s characters: nothing was cut off."
                ),
                code=self.code,
                params={
                    "count": _number(length),
                    "limit": _number(self.limit),
                    "over": _number(length - self.limit),
                },
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, TextLimitValidator) and other.limit == self.limit


def show_text_limits(form: forms.BaseForm) -> None:
    """Give every long text field of ``form`` its stated limit, its counter and the clear refusal
    (call in the form's ``__init__``, after the fields exist)."""
    for field in form.fields.values():
        limit = getattr(field, "max_length", None)
        if not limit or not isinstance(field.widget, forms.Textarea):
            continue
        if any(isinstance(v, TextLimitValidator) for v in field.validators):
            continue  # stated already
        stated = _("At most %(limit)s characters.") % {"limit": _number(limit)}
        # format_html keeps a help text that carries markup (a Localized fallback note).
        field.help_text = format_html("{} {}", field.help_text, stated) if field.help_text else stated
        field.widget.attrs.pop("maxlength", None)
        field.widget.attrs.update(
            {
                "data-maxlength": limit,
                "data-counter": _("%(count)s / %(limit)s characters")
                % {"count": "{count}", "limit": _number(limit)},
                "data-counter-over": _("%(over)s characters too many") % {"over": "{over}"},
            }
        )
        field.validators = [
            v for v in field.validators if not isinstance(v, MaxLengthValidator | TextLimitValidator)
        ] + [TextLimitValidator(limit)]


class StatesTextLimits:
    """Form mixin: ``show_text_limits`` once the form is built, after the most derived class's
    ``__init__`` has added its own fields (the review form's comments, the screening notes)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own_init = cls.__dict__.get("__init__")
        if own_init is None:
            return

        @functools.wraps(own_init)
        def init(self, *args, **init_kwargs):
            own_init(self, *args, **init_kwargs)
            if type(self).__init__ is init:  # the outermost __init__ only
                show_text_limits(self)

        cls.__init__ = init  # type: ignore[method-assign]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if type(self).__init__ is StatesTextLimits.__init__:
            show_text_limits(self)  # type: ignore[arg-type]
