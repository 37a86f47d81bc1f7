"""Compile one query operation into Python that completes its result directly.

The input is what graphql-core's executor would walk field by field: the operation's root
fields, grouped by response key after @skip/@include (graphql-core's own `collect_fields`,
so the plan is only valid for those directive values). The output is a `Plan`: generated
source with one function per (type, selection) that reads the source object's attributes
(Strawberry fields without a resolver), calls a resolver where a field has one (awaiting
only what comes back awaitable, and gathering sibling awaitables as graphql-core does),
and serializes leaves exactly as graphql-core does: an inline test takes the common case
(a `str` for String, a 32-bit `int` for Int, a finite `float` for Float, a member of the
Strawberry enum) and anything else goes through the type's own `coerce_output_value`.

Whatever the plan cannot complete as graphql-core would (null in a non-null position, a
value of the wrong type, any exception) raises, and the executor runs graphql-core instead.
What it declines to compile at all raises `Unsupported`: abstract types, introspection,
directives other than @skip/@include, fragment variables, @defer.
"""

from __future__ import annotations

import dataclasses
import datetime
import keyword
import operator
import zoneinfo
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    Undefined,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetailsList, FragmentDetails, GroupedFieldSet, collect_subfields
from graphql.execution.values import VariableValues
from graphql.pyutils import Path, is_awaitable
from tortoise import timezone as tortoise_timezone

from schema.execution import runtime
from schema.execution.inline import InlineForm, inline_form

STRAWBERRY_FIELD = "strawberry-definition"
ALLOWED_DIRECTIVES = frozenset({"skip", "include"})
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class Unsupported(Exception):
    """The operation uses something the compiler leaves to graphql-core."""


@dataclasses.dataclass(frozen=True)
class ArgumentSite:
    """A resolver field with arguments: they are coerced per execution, from that request's variables."""

    field: GraphQLField
    field_details_list: FieldDetailsList
    # for an inline resolver: each argument's GraphQL name -> its Python parameter
    python_names: dict[str, str] | None = None


@dataclasses.dataclass(frozen=True)
class Plan:
    """A compiled operation: `make(executor, argument_values)` returns the root completer."""

    source: str
    make: Callable[..., Callable[[Any, Any], Any]]
    argument_sites: tuple[ArgumentSite, ...]


@dataclasses.dataclass
class _Completer:
    name: str
    may_await: bool  # may return an awaitable
    needs_path: bool  # calls a resolver somewhere below, which gets a resolve info with its path


class Compiler:
    """Generates a plan. The methods that decide what the generated code does are small and
    separate, so that tests can break them one at a time (tests/schema/execution)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        variable_values: VariableValues,
        operation: OperationDefinitionNode,
        hide_suggestions: bool,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variable_values = variable_values
        self.operation = operation
        self.hide_suggestions = hide_suggestions
        self.functions: list[str] = []
        self.constants: dict[str, Any] = {
            "Path": Path,
            "isawaitable": is_awaitable,
            "Undefined": Undefined,
            "Divergence": runtime.Divergence,
            "as_list": runtime.as_list,
            "then": runtime.then,
            "settle": runtime.settle,
            "settle_list": runtime.settle_list,
            "discard": runtime.discard,
        }
        self.argument_sites: list[ArgumentSite] = []
        self._count = 0

    # ------------------------------------------------------------ entry point

    def compile(self, root_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet) -> Plan:
        root = self._object(root_type, grouped_field_set, nullable=False, is_root=True)
        prologue = [f"    A{i} = A[{i}]" for i in range(len(self.argument_sites))]
        body = "\n".join(self.functions)
        source = (
            "def make(ex, A):\n    BI = ex.build_resolve_info\n    CTX = ex.context_value\n"
            "    RAWDT = getattr(CTX, 'datetimes_as_objects', False) is True\n"
            + "\n".join(prologue)
            + "\n"
            + _indent(body)
            + f"\n    return {root.name}\n"
        )
        namespace = dict(self.constants)
        exec(compile(source, "<flowdeck compiled operation>", "exec"), namespace)
        return Plan(source=source, make=namespace["make"], argument_sites=tuple(self.argument_sites))

    # ------------------------------------------------------------ the decisions tests may break

    def response_key(self, key: str, field_details_list: FieldDetailsList) -> str:
        """The key a field's value goes under in its object: the alias, or the field's name."""
        return key

    def null_outcome(self, nullable: bool) -> str:
        """What a completer does with null: return it where allowed, else leave to graphql-core."""
        return "return None" if nullable else "raise Divergence('null')"

    def leaf_expression(self, return_type: GraphQLOutputType, nullable: bool, value: str) -> str:
        """An expression completing the leaf `value` exactly as graphql-core does."""
        slow = self._constant("L", runtime.leaf(return_type, nullable))  # type: ignore[arg-type]
        test = None
        if return_type is GraphQLString or return_type is GraphQLID:
            test = f"type({value}) is str"
        elif return_type is GraphQLInt:
            test = f"type({value}) is int and {INT_MIN} <= {value} <= {INT_MAX}"
        elif return_type is GraphQLBoolean:
            test = f"{value} is True or {value} is False"
        elif return_type is GraphQLFloat:
            test = f"type({value}) is float and {value} - {value} == 0.0"
        elif isinstance(return_type, GraphQLEnumType):
            wrapped, names = runtime.enum_names(return_type)
            if wrapped is not None:
                cls, lookup = self._constant("EW", wrapped), self._constant("EN", names)
                return f"(({lookup}.get({value}) if type({value}) is {cls} else None) or {slow}({value}))"
        elif _serializes_by_isoformat(return_type):
            # Strawberry's DateTime (Date, Time): `methodcaller("isoformat")`
            # A UTC datetime stays as it is when the context says that orjson writes the result
            # (`Context.datetimes_as_objects`): orjson writes it as isoformat() does.
            cls, utc = self._constant("DT", datetime.datetime), self._constant("UTC", UTC_ZONES)
            return (
                f"(({value} if RAWDT and {value}.tzinfo in {utc} else {value}.isoformat()) "
                f"if type({value}) is {cls} else {slow}({value}))"
            )
        elif _serializes_as_itself(return_type):
            # Strawberry's JSON: the value itself, for what a JSON column holds
            test = f"type({value}) in {self._constant('JS', JSON_TYPES)}"
        if test is None:
            return f"{slow}({value})"
        if nullable:
            test = f"({test}) or {value} is None"
        return f"({value} if {test} else {slow}({value}))"

    def inline_form(self, field: GraphQLField) -> InlineForm | None:
        """The function a resolver field is resolved by in the plan, instead of its resolver
        with a resolve info (schema.execution.inline), or None to call the resolver."""
        return inline_form(field)

    def inline_value(self, completer: str, path: str) -> str:
        """The completed value of what an inline resolver returned at once (`y`)."""
        return f"{completer}(y, {path})"

    # ------------------------------------------------------------ generation

    def _name(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count}"

    def _constant(self, prefix: str, value: Any) -> str:
        name = self._name(prefix)
        self.constants[name] = value
        return name

    def _completer(self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList) -> _Completer:
        nullable = not is_non_null_type(return_type)
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if is_list_type(named):
            return self._list(named, field_details_list, nullable)  # type: ignore[arg-type]
        if is_leaf_type(named):
            name = self._name("c")
            self.functions.append(f"def {name}(x, p):\n    return {self.leaf_expression(named, nullable, 'x')}\n")
            return _Completer(name, may_await=False, needs_path=False)
        if is_object_type(named):
            assert isinstance(named, GraphQLObjectType)
            grouped, defers, forbidden = collect_subfields(
                self.schema,
                self.fragments,
                self.variable_values,
                self.operation,
                named,
                field_details_list,
                self.hide_suggestions,
            )
            if defers or forbidden:
                raise Unsupported("@defer")
            return self._object(named, grouped, nullable, is_root=False)
        raise Unsupported(f"abstract type {named}")

    def _list(self, list_type: GraphQLList[Any], field_details_list: FieldDetailsList, nullable: bool) -> _Completer:
        item_type = list_type.of_type
        item_named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        name = self._name("c")
        lines = [
            f"def {name}(x, p):",
            "    if x is None or x is Undefined:",
            f"        {self.null_outcome(nullable)}",
            "    if type(x) is not list:",
            "        x = as_list(x)",
        ]
        if is_leaf_type(item_named):
            expression = self.leaf_expression(item_named, not is_non_null_type(item_type), "i")
            lines.append(f"    return [{expression} for i in x]")
            self.functions.append("\n".join(lines) + "\n")
            return _Completer(name, may_await=False, needs_path=False)
        item = self._completer(item_type, field_details_list)
        call = f"{item.name}(i, Path(p, n, None))" if item.needs_path else f"{item.name}(i, None)"
        if item.may_await:
            # a loop, not a comprehension: when an item raises, the items before it are closed
            lines += [
                "    out = []",
                "    try:",
                "        for n, i in enumerate(x):",
                f"            out.append({call})",
                "    except BaseException:",
                "        discard(out)",
                "        raise",
                "    return settle_list(out)",
            ]
        else:
            lines.append(
                f"    return [{call} for n, i in enumerate(x)]"
                if item.needs_path
                else f"    return [{call} for i in x]"
            )
        self.functions.append("\n".join(lines) + "\n")
        return _Completer(name, may_await=item.may_await, needs_path=item.needs_path)

    def _object(
        self, object_type: GraphQLObjectType, grouped: GroupedFieldSet, nullable: bool, is_root: bool
    ) -> _Completer:
        type_name = object_type.name
        body: list[str] = []
        may_await = needs_path = False
        for key, field_details_list in grouped.items():
            field_key = self.response_key(key, field_details_list)
            node = field_details_list[0].node
            for details in field_details_list:
                if details.fragment_variable_values is not None or details.defer_usage is not None:
                    raise Unsupported("fragment variables or @defer")
                if any(d.name.value not in ALLOWED_DIRECTIVES for d in details.node.directives or ()):
                    raise Unsupported(f"a directive on {key}")
            field_name = node.name.value
            if field_name == "__typename":
                body.append(f"    r[{field_key!r}] = {type_name!r}")
                continue
            if field_name.startswith("__"):
                raise Unsupported("introspection")
            field = object_type.fields.get(field_name)
            if field is None:
                raise Unsupported(f"unknown field {type_name}.{field_name}")
            attribute = _plain_attribute(field)
            source = _read("x", attribute) if attribute is not None else None
            if is_root and _resolves_to_the_event(field):
                source = "x"  # a subscription's root field: the event itself is its value
            if source is not None and is_leaf_type(_named(field.type)):
                body.append(f"    v = {source}")
                leaf = self.leaf_expression(_named(field.type), not is_non_null_type(field.type), "v")
                body.append(f"    r[{field_key!r}] = {leaf}")
                continue
            child = self._completer(field.type, field_details_list)
            needs_path = needs_path or child.needs_path
            path = f"Path(p, {key!r}, {type_name!r})"
            if source is not None:
                call = f"{child.name}({source}, {path if child.needs_path else 'None'})"
                if not child.may_await:
                    body.append(f"    r[{field_key!r}] = {call}")
                    continue
                may_await = True
                body += [
                    f"    y = {call}",
                    "    if isawaitable(y):",
                    f"        r[{field_key!r}] = None; ks.append({field_key!r}); aws.append(y)",
                    "    else:",
                    f"        r[{field_key!r}] = y",
                ]
                continue
            may_await = True
            form = self.inline_form(field)
            if form is not None:
                needs_path = needs_path or child.needs_path
                body += self._inline_call(form, field, field_details_list, field_key, path, child)
                continue
            needs_path = True
            body += self._resolver_call(object_type, field, field_details_list, field_key, path, child)
        name = self._name("c")
        lines = [f"def {name}(x, p):"]
        if not is_root:
            lines += ["    if x is None or x is Undefined:", f"        {self.null_outcome(nullable)}"]
            if object_type.is_type_of is not None:
                check = self._constant("IT", object_type.is_type_of)
                lines.append(f"    if not {check}(x, None):")
            else:
                lines.append("    if isinstance(x, Exception):")
            lines.append("        raise Divergence('not a value of this type')")
        lines.append("    r = {}")
        if may_await:
            # when a field raises, the awaitables of the fields before it are closed
            lines.append("    ks = []; aws = []")
            lines.append("    try:")
            lines += [f"    {line}" for line in body]
            lines += ["    except BaseException:", "        discard(aws)", "        raise"]
            lines.append("    return settle(r, ks, aws) if ks else r")
        else:
            lines += body
            lines.append("    return r")
        self.functions.append("\n".join(lines) + "\n")
        return _Completer(name, may_await=may_await, needs_path=needs_path)

    def _inline_call(
        self,
        form: InlineForm,
        field: GraphQLField,
        field_details_list: FieldDetailsList,
        field_key: str,
        path: str,
        child: _Completer,
    ) -> list[str]:
        function = self._constant("I", form.function)
        arguments = self._arguments(ArgumentSite(field, field_details_list, form.python_names))
        fp = path if child.needs_path else "None"
        lines = [
            f"    y = {function}(x, CTX{arguments})",
            "    if isawaitable(y):",
            f"        r[{field_key!r}] = None; ks.append({field_key!r}); aws.append(then(y, {child.name}, {fp}))",
            "    else:",
            f"        y = {self.inline_value(child.name, fp)}",
        ]
        return lines + self._store(field_key, child)

    def _arguments(self, site: ArgumentSite) -> str:
        """The call's keyword arguments (`, **A<n>`, coerced per execution) when the field takes
        or is given any, else nothing."""
        if not (site.field.args or site.field_details_list[0].node.arguments):
            return ""
        self.argument_sites.append(site)
        return f", **A{len(self.argument_sites) - 1}"

    def _store(self, field_key: str, child: _Completer) -> list[str]:
        """Put a completed value `y` (under `else:`) in the result, or keep it to await."""
        if child.may_await:
            return [
                "        if isawaitable(y):",
                f"            r[{field_key!r}] = None; ks.append({field_key!r}); aws.append(y)",
                "        else:",
                f"            r[{field_key!r}] = y",
            ]
        return [f"        r[{field_key!r}] = y"]

    def _resolver_call(
        self,
        parent_type: GraphQLObjectType,
        field: GraphQLField,
        field_details_list: FieldDetailsList,
        field_key: str,
        path: str,
        child: _Completer,
    ) -> list[str]:
        if field.resolve is None:
            raise Unsupported("a field resolved by the default resolver of graphql-core")
        resolver = self._constant("R", field.resolve)
        definition = self._constant("F", field)
        nodes = self._constant("N", [details.node for details in field_details_list])
        parent = self._constant("T", parent_type)
        arguments = self._arguments(ArgumentSite(field, field_details_list))
        lines = [
            f"    fp = {path}",
            f"    y = {resolver}(x, BI({definition}, {nodes}, {parent}, fp){arguments})",
            "    if isawaitable(y):",
            f"        r[{field_key!r}] = None; ks.append({field_key!r}); aws.append(then(y, {child.name}, fp))",
            "    else:",
            f"        y = {child.name}(y, fp)",
        ]
        return lines + self._store(field_key, child)


JSON_TYPES = frozenset({dict, list, str, int, float, bool})
# the zones whose datetimes orjson writes exactly as `isoformat()` does (offset +00:00): the
# driver's, and the default zone Tortoise puts the rows' datetimes in (app.queries.rows)
UTC_ZONES = (datetime.UTC, tortoise_timezone.ZoneInfo("UTC"), zoneinfo.ZoneInfo("UTC"))


def _serializes_by_isoformat(return_type: GraphQLOutputType) -> bool:
    coerce = getattr(return_type, "coerce_output_value", None)
    return isinstance(coerce, operator.methodcaller) and repr(coerce) == "operator.methodcaller('isoformat')"


def _serializes_as_itself(return_type: GraphQLOutputType) -> bool:
    """A custom scalar whose serializer returns what it is given (probed with fresh objects)."""
    if not isinstance(return_type, GraphQLScalarType) or return_type.coerce_output_value is None:
        return False
    probes = ({"probe": [1]}, [object()], "probe")
    try:
        return all(return_type.coerce_output_value(probe) is probe for probe in probes)
    except Exception:
        return False


def _named(return_type: GraphQLOutputType) -> GraphQLOutputType:
    return return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type


def _plain_attribute(field: GraphQLField) -> str | None:
    """The attribute a field reads when it is a Strawberry field without a resolver, permission
    or extension (its resolver is then `getattr(source, python_name)`), else None."""
    definition = (field.extensions or {}).get(STRAWBERRY_FIELD)
    resolve = field.resolve
    if definition is None or resolve is None or getattr(resolve, "__name__", "") != "_get_basic_result":
        return None
    if not definition.is_basic_field or definition.default_resolver is not getattr:
        return None
    name: str = definition.python_name
    return name


def _resolves_to_the_event(field: GraphQLField) -> bool:
    """A subscription's root field whose resolver returns the event it is given (Strawberry's
    `lambda event, *_, **__: event`): per event, graphql-core calls it with the event as root
    value and completes what it returns. Probed with a fresh object, as a scalar's serializer is."""
    definition = (field.extensions or {}).get(STRAWBERRY_FIELD)
    if field.subscribe is None or field.resolve is None or not getattr(definition, "is_subscription", False):
        return False
    probe = object()
    try:
        return field.resolve(probe, None) is probe
    except Exception:
        return False


def _read(source: str, attribute: str) -> str:
    if attribute.isidentifier() and not keyword.iskeyword(attribute) and not attribute.startswith("__"):
        return f"{source}.{attribute}"
    return f"getattr({source}, {attribute!r})"


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else line for line in text.splitlines())


__all__ = ["ArgumentSite", "Compiler", "Plan", "Unsupported"]
