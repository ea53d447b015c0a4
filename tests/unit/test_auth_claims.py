"""Who the API thinks is calling, from the claims API Gateway verified: the plain claim
names, and the ``custom:`` names a Cognito user pool's custom attributes arrive as."""

from __future__ import annotations

from typing import Any

import pytest

from hoa_billing.api import auth, errors


def _event(**claims: Any) -> dict[str, Any]:
    return {"requestContext": {"authorizer": {"jwt": {"claims": claims}}}}


def _cognito(**claims: Any) -> dict[str, Any]:
    """Claims as a Cognito ID token carries them: every custom attribute a string."""
    return _event(**{"cognito:username": "dana", "token_use": "id", **claims})


def test_a_cognito_manager_acts_on_the_properties_in_custom_property_ids():
    event = _cognito(**{"sub": "u-1", "custom:role": "manager", "custom:property_ids": "prop_a,prop_b", "name": "Dana"})
    principal = auth.manager(event, "prop_b")
    assert principal.property_ids == frozenset({"prop_a", "prop_b"})
    assert principal.actor().name == "Dana"
    with pytest.raises(errors.Forbidden):
        auth.manager(event, "prop_c")


@pytest.mark.parametrize(
    "written",
    ["prop_a prop_b", "[prop_a prop_b]", "prop_a, prop_b", '["prop_a","prop_b"]', '["prop_a", "prop_b"]'],
)
def test_a_property_list_attribute_may_be_written_the_ways_people_write_lists(written):
    event = _cognito(**{"sub": "u-1", "custom:role": "manager", "custom:property_ids": written})
    assert auth.manager(event, "prop_a").property_ids == frozenset({"prop_a", "prop_b"})


@pytest.mark.parametrize("written", ['["prop_a",', '["prop a"]', '["prop_a", 7]'])
def test_a_malformed_property_list_attribute_is_refused(written):
    event = _cognito(**{"sub": "u-1", "custom:role": "manager", "custom:property_ids": written})
    with pytest.raises(errors.Unauthorized):
        auth.manager(event, "prop_a")


def test_a_cognito_resident_reaches_their_portal_by_custom_resident_id():
    event = _cognito(**{"sub": "u-2", "custom:role": "resident", "custom:resident_id": "res_1"})
    assert auth.resident(event).resident_id == "res_1"
    with pytest.raises(errors.Forbidden):
        auth.manager(event, "prop_a")


def test_a_cognito_administrator_is_an_administrator():
    event = _cognito(**{"sub": "u-3", "custom:role": "admin"})
    assert isinstance(auth.staff(event, "prop_a"), auth.AdminPrincipal)
    assert isinstance(auth.screen(event, auth.Caller.ADMIN), auth.AdminPrincipal)


def test_the_plain_claim_wins_over_the_custom_attribute():
    """A pre token generation trigger (or another issuer) may set the plain claim; a
    custom attribute then changes nothing, whatever it says."""
    event = _cognito(**{"sub": "u-1", "role": "resident", "resident_id": "res_1", "custom:role": "admin"})
    with pytest.raises(errors.Forbidden):
        auth.admin(event)
    assert auth.resident(event).resident_id == "res_1"
    both = _cognito(**{"sub": "u-1", "role": "manager", "property_ids": "[prop_a]", "custom:property_ids": "prop_b"})
    with pytest.raises(errors.Forbidden):
        auth.manager(both, "prop_b")


def test_a_token_without_a_role_in_either_name_is_refused():
    event = _cognito(**{"sub": "u-1", "custom:property_ids": "prop_a"})
    with pytest.raises(errors.Forbidden):
        auth.manager(event, "prop_a")
    with pytest.raises(errors.Forbidden):
        auth.resident(_cognito(**{"sub": "u-2", "custom:resident_id": "res_1"}))
