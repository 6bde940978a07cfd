"""The JSON API's floor: one pydantic model per payload validates the request, serialises the answer and writes
the OpenAPI document (spectree), and every refusal has one shape: {"error": {status, reason, message, …}}.

A feature declares an operation with ``@spec.validate(json=Body, query=Query, resp=responses(...),
operation_id=...)`` on an ordinary Flask route; the body and the query arrive as the view's ``json`` and
``query`` arguments, already checked. What spectree does not do our way is done here, once: a body that is not
JSON is 415, one that does not parse or is nested too deeply 400, one that is not an object 400; members of the
wrong type or value 422 ``validation_failed`` with ``fields`` naming them ("languages-0-level"); a query string
that breaks its model 400 ``invalid_parameter`` with the ``field``.
"""
from __future__ import annotations

import copy
import re
from typing import Annotated, Any, ClassVar, TypeVar

from flask import abort, current_app, make_response, request
from flask_babel import gettext
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, WithJsonSchema
from pydantic_core import PydanticCustomError
from spectree import Response, SecurityScheme, SpecTree
from spectree.plugins.base import Context
from spectree.plugins.flask_plugin import FlaskPlugin
from spectree.plugins.werkzeug_utils import werkzeug_parse_rule
from werkzeug.exceptions import BadRequest
from werkzeug.routing import parse_converter_args

from app.errors import json_error
from app.forms import unstorable_character
from app.inputs import MAX_ID

# ----------------------------------------------------------------------------------------------- the error shape


class ErrorDetail(BaseModel):
    status: int
    reason: str = Field(description="Machine-readable, e.g. validation_failed, registration_closed, "
                                    "sessions_overlap, not_found.")
    message: str = Field(description="For people, in the request's language where we have it.")
    field: str | None = Field(None, description="The member or parameter a refusal is about.")
    fields: dict[str, list[str]] | None = Field(
        None, description='Messages by member: "full_name", or "languages-0-level" inside a list of objects.')


class Error(BaseModel):
    """What every refusal looks like."""
    error: ErrorDetail


def responses(ok: tuple[int, type[BaseModel] | None, str], **errors: str) -> Response:
    """The documented answers of an operation: the success (status, model, description) and the refusals by
    status (HTTP_404="No such event."), each with the Error model."""
    status, model, description = ok
    return Response(**{f"HTTP_{status}": (model, description)},
                    **{code: (Error, description) for code, description in errors.items()})


NOT_FOUND = "Not found (not_found)."


class Body(BaseModel):
    """A request body: members it does not name are ignored, whatever they hold."""
    model_config = ConfigDict(extra="ignore")
    unreadable_reason: ClassVar[str] = "bad_request"  # the scanner's bodies say invalid_json
    not_an_object_reason: ClassVar[str] = "bad_request"  # and validation_failed


BodyModel = TypeVar("BodyModel", bound=Body)


class Query(BaseModel):
    """A query string: a parameter it does not name is refused (most likely a typo)."""
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------------------- reading a request


def _refuse(status: int, reason: str, message: str, **extra):
    abort(make_response(json_error(status, reason, message, **extra)))


def json_object_body(model: type[Body]) -> dict:
    """The request's body as a JSON object, or the refusal: 415 for another media type, 400 for what does not
    parse (or is nested deeper than the parser goes), or for JSON that is not an object; the reasons are the
    model's (``unreadable_reason``, ``not_an_object_reason``), the messages in the request's language."""
    if not request.is_json:
        _refuse(415, "unsupported_media_type", gettext("Send the body as application/json."))
    try:
        payload = request.get_json()
    except BadRequest:  # not JSON, not UTF-8, numbers with thousands of digits
        _refuse(400, model.unreadable_reason, gettext("The body is not valid JSON."))
    except RecursionError:  # "[[[[…" nested deeper than the parser goes: Flask only catches ValueError
        _refuse(400, model.unreadable_reason, gettext("The body is nested too deeply: send one flat JSON object."))
    if not isinstance(payload, dict):  # null too
        _refuse(400, model.not_an_object_reason, gettext("The body must be a JSON object."))
    return payload


def checked_body(model: type[BodyModel]) -> BodyModel:
    """The request's body read (json_object_body) and checked by ``model``, or the refusal: 422
    ``validation_failed`` with ``fields``. What ``spec.validate(json=…)`` does, for a route outside the API
    document (the door page's scan)."""
    try:
        return model.model_validate(json_object_body(model))
    except ValidationError as exc:
        _refuse(422, "validation_failed", gettext("Some fields are not valid."), fields=field_errors(exc))


# What a refusal of pydantic's own says; our types raise their own messages (PydanticCustomError).
_MESSAGES = {
    "missing": "This field is required.", "string_type": "A string.", "int_type": "An integer.",
    "bool_type": "true or false.", "list_type": "A list.", "model_type": "An object.", "dict_type": "An object.",
    "literal_error": "Not a valid choice.", "enum": "Not a valid choice.", "too_long": "Too many items.",
    "extra_forbidden": "Unknown parameter.",
}


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Messages by member, named as the web form names its fields: "languages-0-level" inside a list of objects,
    and the list's own name ("sessions", "seeking") for an item of a list of values."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False, include_context=False, include_input=False):
        where = list(error["loc"])
        if len(where) > 1 and isinstance(where[-1], int):
            where.pop()
        message = error["msg"] if error["type"] not in _MESSAGES else _MESSAGES[error["type"]]
        fields.setdefault("-".join(map(str, where)) or "body", []).append(message)
    return fields


def _refuse_query(exc: ValidationError):
    error = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    name = str(error["loc"][0]) if error["loc"] else "query"
    message = error["msg"] if error["type"] not in _MESSAGES else _MESSAGES[error["type"]]
    # The name as sent, cut short: an unknown one is most likely a typo ("?knd=talk"), worth saying back.
    _refuse(400, "invalid_parameter", message, field=name[:100])


class JsonApiPlugin(FlaskPlugin):
    """spectree's Flask plugin, reading bodies and answering refusals in our shape (see the module's text)."""

    def request_validation(self, request, query, json, form, headers, cookies):
        if form or headers or cookies:  # not used by our API: spectree's own reading
            return super().request_validation(request, query, json, form, headers, cookies)
        checked_query = body = None
        if query is not None:
            try:
                checked_query = query.model_validate(request.args.to_dict())
            except ValidationError as exc:
                _refuse_query(exc)
        if json is not None:
            body = checked_body(json)
        request.context = Context(checked_query, body, None, None, None)

    def find_routes(self):
        """spectree's routes, without the redirect rules of old URLs (app.console.redirect_old_urls): they have
        no view to describe."""
        return (rule for rule in super().find_routes() if rule.redirect_to is None)

    def parse_path(self, route, path_parameter_descriptions):
        """spectree's path parameters, with the limits our URL rules set: ``<string(maxlength=64):token>``, and
        ids (``<int:…>``, app.inputs.IdConverter) from 0 to MAX_ID."""
        path, parameters = super().parse_path(route, path_parameter_descriptions)
        schemas = {parameter["name"]: parameter["schema"] for parameter in parameters}
        for converter, arguments, name in werkzeug_parse_rule(str(route)):
            limits = parse_converter_args(arguments)[1] if arguments else {}
            if converter == "string":
                schemas[name].update({json_name: limits[rule_name] for rule_name, json_name in
                                      (("minlength", "minLength"), ("maxlength", "maxLength")) if rule_name in limits})
            elif converter == "int":
                schemas[name].update(minimum=limits.get("min", 0), maximum=limits.get("max", MAX_ID))
        return path, parameters


# One per process, like the other extensions: views are declared with it when their modules load. Strict mode:
# the document holds only the operations declared with it. spectree's own pages are not registered (their
# scripts come from other sites, which our CSP refuses; the document is served at /api/openapi.json), and
# ``path`` only tells spectree which rules to leave out of the document: none of ours starts with /openapi.
spec = SpecTree(
    "flask", backend=JsonApiPlugin, mode="strict", path="openapi", validation_error_model=Error,
    naming_strategy=lambda model: model.__name__, nested_naming_strategy=lambda _parent, child: child,
    title="welcomeday API", version="1.0.0",
    description="Welcome days for international talent: programme, seats and registration.")

# --------------------------------------------------------------------------------------- the document


def security(scheme: SecurityScheme) -> dict:
    """An operation's ``security`` (``spec.validate(security=…)``), with ``scheme`` in the document's
    components: collected once per process as the operations are declared, like their models."""
    schemes = spec.config.security_schemes = spec.config.security_schemes or []
    if all(known.name != scheme.name for known in schemes):
        schemes.append(scheme)
    return {scheme.name: []}


def openapi_document() -> dict:
    """The OpenAPI 3.1 document, from the declared operations; built once per app. (spectree keeps its part
    once per process: the operations are the code's, the same in every app.)"""
    document = current_app.extensions.get("api_document")
    if document is None:
        document = copy.deepcopy(spec.spec)
        document.pop("tags", None)
        document.pop("security", None)  # none but per operation
        current_app.extensions["api_document"] = document
    return document


# --------------------------------------------------------------------------------------- types for payloads

# What no stored text may hold (app.forms.unstorable_character), as a pattern for the document, so that clients
# and schemathesis know: control characters, private-use code points and the noncharacters. (Lone surrogates
# cannot be written in a pattern that ECMA or Rust regex engines accept; JSON in UTF-8 cannot carry them anyway.)
_NONCHARACTERS = "\\ufdd0-\\ufdef\\ufffe\\uffff" + "".join(  # planes 15 and 16 are private use anyway
    f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(0x01, 0x0f))
_BAD = "\\x00-\\x1f\\x7f-\\x9f\\ue000-\\uf8ff\\U000f0000-\\U0010ffff" + _NONCHARACTERS
_ANY_TEXT = f"^[^{_BAD}]*$"
_SOME_TEXT = f"^[^{_BAD}]*[^{_BAD}\\s][^{_BAD}]*$"


def storable_text(value, *, max_length: int, required=None):
    """Text as the web form takes it: a string, without what we cannot store, stripped, not too long. Required
    text (``required`` is the message when it is empty, a lazy string) must hold something besides white space;
    optional text that is null, empty or white space is None."""
    if required is None and (value is None or value == ""):
        return None
    if value is None:
        raise PydanticCustomError("required", str(required))
    if not isinstance(value, str):
        raise PydanticCustomError("string_type", "A string.")
    char = unstorable_character(value)
    if char is not None:
        raise PydanticCustomError("unstorable", gettext(
            "This contains a character we cannot store (U+%(code)04X).", code=ord(char)))
    value = value.strip()
    if required is not None and not value:
        raise PydanticCustomError("required", str(required))
    if len(value) > max_length:
        raise PydanticCustomError("too_long", "At most {n} characters.", {"n": max_length})
    return value or None


def text(max_length: int, *, required=None, description: str | None = None, **schema: Any):
    """A text member (see storable_text): required, with ``required`` as the message when it is empty (the web
    form's, as a lazy string, so that it is translated the same), or optional."""
    document = {"type": "string", "maxLength": max_length, "pattern": _SOME_TEXT if required else _ANY_TEXT,
                **({"minLength": 1} if required else {}), **({"description": description} if description else {}),
                **schema}
    if required is None:
        document = {"anyOf": [document, {"type": "null"}]}
    return Annotated[str | None if required is None else str,
                     BeforeValidator(lambda v: storable_text(v, max_length=max_length, required=required)),
                     WithJsonSchema(document)]


def choice(values, *, description: str | None = None, nullable: bool = False, message: str = "Not a valid choice."):
    """One of ``values`` (strings), like a select field; null too if ``nullable``."""
    allowed = frozenset(values)

    def check(value):
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise PydanticCustomError("string_type", "A string.")
        if value not in allowed:
            raise PydanticCustomError("choice", message)
        return value

    document = {"type": "string", "enum": sorted(allowed), **({"description": description} if description else {})}
    return Annotated[str | None if nullable else str, BeforeValidator(check),
                     WithJsonSchema({"anyOf": [document, {"type": "null"}]} if nullable else document)]


def _integer(value):
    # A JSON number 3.0 is an integer, as JSON Schema says; true is not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "An integer.")
    return value


Integer = Annotated[int, BeforeValidator(_integer), WithJsonSchema({"type": "integer"})]


def _row_id(value):
    value = _integer(value)
    if not 1 <= value <= MAX_ID:
        raise PydanticCustomError("range", "Number must be between 1 and {max}.", {"max": MAX_ID})
    return value


RowId = Annotated[int, BeforeValidator(_row_id),
                  WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_ID})]


def _strict_bool(value):
    if value is not None and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "true or false.")
    return bool(value)


Flag = Annotated[bool, BeforeValidator(_strict_bool), WithJsonSchema({"type": ["boolean", "null"]})]


def pattern(regex: str, message: str):
    """A string matching ``regex`` (written for both Python and the document), else ``message``."""
    compiled = re.compile(regex)

    def check(value):
        if value is None:
            return None
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise PydanticCustomError("pattern", message)
        return value

    return Annotated[str | None, BeforeValidator(check),
                     WithJsonSchema({"type": "string", "pattern": regex})]
