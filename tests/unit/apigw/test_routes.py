"""Route keys and route selection behave as API Gateway HTTP APIs do."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devserver.apigw.routes import RouteTable
from devserver.app.route_key import DuplicateRouteError, RouteKeyError, SegmentKind, parse_route_key

# The example API from AWS's "Routing API requests" documentation.
AWS_EXAMPLE = RouteTable(
    [
        ("GET /pets/dog/1", "static"),
        ("GET /pets/dog/{id}", "dog"),
        ("GET /pets/{proxy+}", "pets-greedy"),
        ("ANY /{proxy+}", "any-greedy"),
        ("$default", "default"),
    ]
)


class TestParseRouteKey:
    def test_a_plain_route_has_its_method_path_and_literal_segments(self) -> None:
        route = parse_route_key("POST /presigned-url")
        assert (route.method, route.path, route.is_default) == ("POST", "/presigned-url", False)
        assert [(s.kind, s.value) for s in route.segments] == [(SegmentKind.LITERAL, "presigned-url")]

    def test_variables_and_a_final_greedy_variable_are_recognised(self) -> None:
        route = parse_route_key("GET /users/{userId}/files/{key+}")
        assert [s.kind for s in route.segments] == [
            SegmentKind.LITERAL,
            SegmentKind.VARIABLE,
            SegmentKind.LITERAL,
            SegmentKind.GREEDY,
        ]
        assert route.parameter_names == ("userId", "key")

    def test_default_route_has_no_method_or_path(self) -> None:
        route = parse_route_key("$default")
        assert route.is_default and route.method is None and route.path is None

    def test_root_path_has_no_segments(self) -> None:
        assert parse_route_key("GET /").segments == ()

    @pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"])
    def test_every_api_gateway_method_is_accepted(self, method: str) -> None:
        assert parse_route_key(f"{method} /x").method == method

    @pytest.mark.parametrize(
        ("key", "says"),
        [
            ("GET files", 'must start with "/"'),
            ("GET", 'expected "METHOD /path" (e.g. "GET /files/{key+}") or "$default"'),
            ("/files", 'expected "METHOD /path"'),
            ("", 'expected "METHOD /path"'),
            ("get /files", 'methods are upper case: "GET"'),
            ("FETCH /files", 'unknown method "FETCH"'),
            ("GET  /files", "exactly one space"),
            ("GET /files extra", "exactly one space"),
            ("GET /files/", 'trailing slash; write it as "/files"'),
            ("GET /a//b", 'empty segment (//); write it as "/a/b"'),
            ("GET /files/{key+}/meta", "must be the last segment"),
            ("GET /a/{id}/b/{id}", '"id" appears twice'),
            ("GET /files/{}", "not a valid path variable"),
            ("GET /files/{a b}", "exactly one space"),
            ("GET /files/{na$me}", "not a valid path variable"),
            ("GET /files/{id}.json", "a variable is a whole segment"),
            ("GET /files/{id", "not a valid path variable"),
            ("GET /files/id}", "not a valid path variable"),
            ("GET /files/{+}", "not a valid path variable"),
            ("GET /files?x=1", "not allowed in a path"),
            ("$DEFAULT", 'expected "METHOD /path"'),
        ],
    )
    def test_malformed_keys_are_rejected_with_a_message_naming_the_key_and_the_fix(self, key: str, says: str) -> None:
        with pytest.raises(RouteKeyError) as raised:
            parse_route_key(key)
        assert str(raised.value).startswith(f'Route key "{key}": ')
        assert says in str(raised.value)
        assert raised.value.route_key == key and raised.value.code == "InvalidRouteKey"


class TestRouteTableConstruction:
    def test_same_method_and_path_shape_is_a_duplicate_even_with_other_variable_names(self) -> None:
        with pytest.raises(DuplicateRouteError) as raised:
            RouteTable([("GET /pets/{id}", 1), ("GET /pets/{petId}", 2)])
        assert 'Route key "GET /pets/{petId}": duplicates route "GET /pets/{id}"' in str(raised.value)
        assert raised.value.code == "DuplicateRouteKey"

    def test_two_default_routes_are_duplicates(self) -> None:
        with pytest.raises(DuplicateRouteError):
            RouteTable([("$default", 1), ("$default", 2)])

    def test_same_path_with_other_methods_or_variable_kinds_are_distinct_routes(self) -> None:
        table = RouteTable([("GET /p/{id}", 1), ("POST /p/{id}", 2), ("ANY /p/{id}", 3), ("GET /p/{id+}", 4)])
        assert [route.key for route in table.route_keys] == [
            "GET /p/{id}",
            "POST /p/{id}",
            "ANY /p/{id}",
            "GET /p/{id+}",
        ]

    def test_a_malformed_key_fails_the_whole_table(self) -> None:
        with pytest.raises(RouteKeyError, match='Route key "GET nope"'):
            RouteTable([("GET /ok", 1), ("GET nope", 2)])


class TestAwsDocumentedExample:
    @pytest.mark.parametrize(
        ("method", "path", "target", "parameters"),
        [
            ("GET", "/pets/dog/1", "static", {}),
            ("GET", "/pets/dog/2", "dog", {"id": "2"}),
            ("GET", "/pets/cat/1", "pets-greedy", {"proxy": "cat/1"}),
            ("POST", "/test/5", "any-greedy", {"proxy": "test/5"}),
        ],
    )
    def test_requests_go_where_aws_documents(
        self, method: str, path: str, target: str, parameters: dict[str, str]
    ) -> None:
        found = AWS_EXAMPLE.match(method, path)
        assert found is not None
        assert (found.target, dict(found.path_parameters)) == (target, parameters)

    def test_the_root_path_is_not_caught_by_a_greedy_variable_and_falls_to_default(self) -> None:
        found = AWS_EXAMPLE.match("GET", "/")
        assert found is not None and (found.target, found.route_key) == ("default", "$default")
        assert dict(found.path_parameters) == {}


class TestPrecedence:
    def test_a_literal_beats_a_variable_at_the_first_segment_where_routes_differ(self) -> None:
        table = RouteTable([("GET /{a}/b", "variable-first"), ("GET /a/{b}", "literal-first")])
        assert _target(table, "GET", "/a/b") == "literal-first"

    def test_any_full_match_beats_a_greedy_route_even_a_more_literal_one(self) -> None:
        table = RouteTable([("GET /pets/{proxy+}", "greedy"), ("GET /{kind}/{name}", "variables")])
        assert _target(table, "GET", "/pets/rex") == "variables"

    def test_the_longer_literal_prefix_wins_among_greedy_routes(self) -> None:
        table = RouteTable([("GET /{proxy+}", "root"), ("GET /files/{key+}", "files")])
        assert _target(table, "GET", "/files/a/b") == "files"
        assert _target(table, "GET", "/other/a") == "root"

    def test_an_explicit_method_beats_any_on_the_same_path(self) -> None:
        table = RouteTable([("ANY /{proxy+}", "any"), ("POST /{proxy+}", "post"), ("GET /{proxy+}", "get")])
        assert _target(table, "GET", "/test") == "get"
        assert _target(table, "POST", "/pets") == "post"
        assert _target(table, "DELETE", "/test/5") == "any"

    def test_path_specificity_decides_before_the_method(self) -> None:
        table = RouteTable([("ANY /pets/dog", "any-literal"), ("GET /pets/{name}", "get-variable")])
        assert _target(table, "GET", "/pets/dog") == "any-literal"

    def test_a_route_with_another_method_is_skipped_for_a_less_specific_one(self) -> None:
        table = RouteTable([("POST /pets/dog", "post-dog"), ("GET /pets/{name}", "get-pet")])
        assert _target(table, "GET", "/pets/dog") == "get-pet"

    def test_backtracks_out_of_a_literal_branch_that_leads_nowhere(self) -> None:
        table = RouteTable([("GET /a/b/c", "abc"), ("GET /{x}/b/d", "xbd")])
        found = table.match("GET", "/a/b/d")
        assert found is not None and (found.target, dict(found.path_parameters)) == ("xbd", {"x": "a"})

    def test_default_catches_what_no_route_matches(self) -> None:
        table = RouteTable([("GET /", "root"), ("$default", "default")])
        assert _target(table, "POST", "/") == "default"
        assert _target(table, "GET", "/nowhere") == "default"

    def test_without_default_an_unmatched_request_matches_nothing(self) -> None:
        table = RouteTable([("GET /pets", "pets")])
        assert table.match("GET", "/cats") is None
        assert table.match("POST", "/pets") is None
        assert table.match("GET", "/pets/1") is None

    def test_head_is_its_own_method_a_get_route_does_not_answer_it(self) -> None:
        table = RouteTable([("GET /pets", "get"), ("ANY /files", "any"), ("HEAD /cats", "head")])
        assert table.match("HEAD", "/pets") is None
        assert _target(table, "HEAD", "/files") == "any"
        assert _target(table, "HEAD", "/cats") == "head"

    def test_paths_are_case_sensitive(self) -> None:
        assert RouteTable([("GET /Pets", 1)]).match("GET", "/pets") is None


class TestPathParameters:
    def test_variables_capture_their_segment_and_greedy_keeps_slashes(self) -> None:
        table = RouteTable([("GET /users/{userId}/files/{key+}", "files")])
        found = table.match("GET", "/users/42/files/photos/2024/cat.png")
        assert found is not None and found.route_key == "GET /users/{userId}/files/{key+}"
        assert dict(found.path_parameters) == {"userId": "42", "key": "photos/2024/cat.png"}

    def test_routes_sharing_a_variable_position_keep_their_own_names(self) -> None:
        table = RouteTable([("GET /pets/{id}", "pet"), ("GET /pets/{petId}/toys", "toys")])
        pet, toys = table.match("GET", "/pets/7"), table.match("GET", "/pets/7/toys")
        assert pet is not None and dict(pet.path_parameters) == {"id": "7"}
        assert toys is not None and dict(toys.path_parameters) == {"petId": "7"}

    def test_empty_segments_and_a_trailing_slash_are_ignored(self) -> None:
        table = RouteTable([("GET /pets/{id}", "pet")])
        for path in ("/pets/7/", "//pets//7", "/pets/7//"):
            found = table.match("GET", path)
            assert found is not None and dict(found.path_parameters) == {"id": "7"}

    def test_values_are_taken_from_the_decoded_path_as_given(self) -> None:
        found = RouteTable([("GET /files/{name}", 1)]).match("GET", "/files/a b+c%zz")
        assert found is not None and dict(found.path_parameters) == {"name": "a b+c%zz"}

    def test_path_parameters_cannot_be_changed_through_the_match(self) -> None:
        found = RouteTable([("GET /{id}", 1)]).match("GET", "/1")
        assert found is not None
        with pytest.raises(TypeError):
            found.path_parameters["id"] = "2"  # type: ignore[index]


_segment = st.text(alphabet=st.characters(blacklist_characters="/", blacklist_categories=("Cs",)), max_size=6)
_ROUTES = RouteTable(
    [
        ("GET /", "root"),
        ("GET /a/{x}", "ax"),
        ("ANY /a/b", "ab"),
        ("GET /{x}/{y}/{z+}", "xyz"),
        ("POST /files/{key+}", "files"),
        ("ANY /{proxy+}", "proxy"),
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "HEAD", "DELETE", "PROPFIND", "get"]),
    segments=st.lists(_segment, max_size=8),
    trailing=st.booleans(),
)
def test_matching_any_path_never_raises_and_parameters_rebuild_the_path(
    method: str, segments: list[str], trailing: bool
) -> None:
    path = "/" + "/".join(segments) + ("/" if trailing else "")
    found = _ROUTES.match(method, path)
    non_empty = [s for s in segments if s]
    if not non_empty:
        # Only `GET /` matches the root; a greedy variable needs at least one segment.
        assert (found.target if found else None) == ("root" if method == "GET" else None)
        return
    assert found is not None
    if found.target == "proxy":
        assert found.path_parameters["proxy"] == "/".join(non_empty)
    if found.target == "xyz":
        rebuilt = [found.path_parameters["x"], found.path_parameters["y"], found.path_parameters["z"]]
        assert "/".join(rebuilt) == "/".join(non_empty)


def _target(table: RouteTable[str], method: str, path: str) -> str | None:
    found = table.match(method, path)
    return found.target if found else None
