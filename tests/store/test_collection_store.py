"""Data collection in the store on DuckDB and PostgreSQL (store/collection.py): a request moves only
by the steps its status allows, a resubmission withdraws the earlier batch, every request and member
is scoped by organisation, and the history keeps each step with its row comments."""

from __future__ import annotations

import datetime as dt

import pytest

from dualcarbon.store import Store
from dualcarbon.store.collection import Transition


@pytest.fixture
def store(store_location):
    opened = Store.open(store_location)
    yield opened
    opened.close()


def test_a_request_moves_only_by_the_steps_its_status_allows(store):
    org, coordinator, _ = store.create_organisation("A", "cora")
    site, _ = store.create_user(org["id"], "sam", None, "viewer")
    reviewer, _ = store.create_user(org["id"], "rex", None, "viewer")
    project = store.create_project(org["id"], "dairy", coordinator["id"])
    store.add_member(org["id"], project["id"], site["id"], "contributor", coordinator["id"])
    store.add_member(org["id"], project["id"], site["id"], "contributor", coordinator["id"])  # again: no change
    assert store.member_roles(org["id"], project["id"], site["id"]) == {"contributor"}
    asked = store.create_request(
        org["id"], project["id"], "牧场", "activities", dt.date(2024, 1, 1), dt.date(2024, 12, 31), site["id"],
        dt.date(2025, 1, 31), None, coordinator["id"],
    )  # fmt: skip
    rid = asked["id"]
    with pytest.raises(Transition):  # nothing submitted yet
        store.review(org["id"], rid, "approved", None, [], reviewer["id"])

    def batch(text: str) -> dict:
        return store.new_batch(org["id"], project["id"], "activities", "f.csv", text.encode(), 1, site["id"])

    first = store.submit(org["id"], rid, batch("v1"), site["id"])
    with pytest.raises(Transition):  # submitted: not again until returned
        store.submit(org["id"], rid, batch("v1b"), site["id"])
    assert len(store.batches(org["id"], project["id"])) == 1  # the refused submission left nothing
    store.review(org["id"], rid, "returned", "fix", [(2, "quantity", "too high")], reviewer["id"])
    second = store.submit(org["id"], rid, batch("v2"), site["id"])
    assert store.batch(org["id"], first["batch_id"])["withdrawn_at"] is not None
    assert store.batch(org["id"], second["batch_id"])["withdrawn_at"] is None
    approved = store.review(org["id"], rid, "approved", None, [], reviewer["id"])
    assert approved["status"] == "approved"
    assert store.approved_batches(org["id"], project["id"]) == {second["batch_id"]}
    history = store.request_history(org["id"], rid)
    assert [(e["action"], e["user_name"]) for e in history] == [
        ("requested", "cora"),
        ("submitted", "sam"),
        ("returned", "rex"),
        ("resubmitted", "sam"),
        ("approved", "rex"),
    ]
    assert history[2]["rows"] == [{"row": 2, "column": "quantity", "text": "too high"}]
    # another organisation sees none of it
    other, _, _ = store.create_organisation("B", "bob")
    assert store.request(other["id"], rid) is None and store.request_history(other["id"], rid) == []
    assert store.requests(other["id"], project["id"]) == [] and store.members(other["id"], project["id"]) == []
    assert store.remove_member(org["id"], project["id"], site["id"], "contributor")
    assert not store.remove_member(org["id"], project["id"], site["id"], "contributor")
