"""The forms of a page as a user fills them (issue 9: every form, posted invalid, keeps what was typed).

``forms_of(html)`` reads each ``<form method="post">``: its action and its fields with their current values
(an input's ``value``, a textarea's text, a select's selected option), the options a select offers and whether a
field is required. ``fill(form)`` types a distinctive value into every field a person would fill.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

UNTYPED = {"hidden", "submit", "button", "reset", "file", "image", "checkbox", "radio", "password", "search"}


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str = ""
    required: bool = False
    options: list = field(default_factory=list)
    readonly: bool = False


@dataclass
class Form:
    action: str | None
    hx: bool = False
    fields: list = field(default_factory=list)

    def values(self):
        out = {}
        for f in self.fields:
            out.setdefault(f.name, f.value)
        return out


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._text, self._select = [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = Form(action=a.get("action"), hx=bool(a.get("hx-post")))
            self.forms.append(self._form)
        if self._form is None or not a.get("name") and tag != "option":
            return
        required = "required" in a
        readonly = "readonly" in a or "disabled" in a
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            value = a.get("value") or ""
            if kind in ("checkbox", "radio") and "checked" not in a:
                value = ""
            self._form.fields.append(Field(a["name"], kind, value, required, readonly=readonly))
        elif tag == "textarea":
            self._text = Field(a["name"], "textarea", "", required, readonly=readonly)
            self._form.fields.append(self._text)
        elif tag == "select":
            self._select = Field(a["name"], "select", "", required, readonly=readonly)
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a:
                self._select.value = value

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._text = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.value += data


def forms_of(html):
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def typed_fields(form):
    """Fields a person types into or chooses (not hidden tokens, buttons, files or ticks)."""
    return [f for f in form.fields if f.kind not in UNTYPED and not f.readonly]


def fill(form, blank=None):
    """POST data: every typed field gets a distinctive value (``blank``: this one left empty); hidden fields and ticks
    keep what the page gave them."""
    data = {}
    for n, f in enumerate(form.fields):
        if f.kind in ("submit", "button", "reset", "file", "image"):
            continue
        if f.kind in ("hidden", "checkbox", "radio", "password", "search") or f.readonly:
            if f.value:
                data.setdefault(f.name, f.value)
            continue
        if f.name == blank:
            data[f.name] = ""
            continue
        data[f.name] = _value(f, n)
    return data


def _value(f, n):
    if f.kind == "select":
        choices = [o for o in f.options if o]
        return choices[-1] if choices else ""
    if f.kind == "date":
        return f"2026-11-0{1 + n % 9}"
    if f.kind == "datetime-local":
        return f"2026-11-0{1 + n % 9}T08:3{n % 10}"
    if f.kind == "time":
        return f"08:3{n % 10}"
    if f.kind == "month":
        return f"2026-0{1 + n % 9}"
    if f.kind == "number":
        return str(3 + n)
    if f.kind == "email":
        return f"user{n}@example.cn"
    if f.kind == "tel":
        return f"1380000{n:04d}"
    if f.kind == "textarea":
        return f"填写的内容第{n}项,说明情况"
    return f"输入{n}号"
