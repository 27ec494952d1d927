"""The store computes a change of a remembered document as MongoDB would."""

import pytest

from servicekit.document_store import CannotApply, apply_update


def test_set_unset_inc_and_push_are_applied_like_mongodb() -> None:
    document = {"_id": 1, "a": 1, "gone": True, "history": [1], "version": 4}
    update = {
        "$set": {"a": 2, "new": {"x": 1}},
        "$unset": {"gone": ""},
        "$inc": {"version": 1, "count": 2},
        "$push": {"history": 2, "events": {"$each": [{"id": "e1"}, {"id": "e2"}]}},
    }
    assert apply_update(document, update) == {
        "_id": 1,
        "a": 2,
        "new": {"x": 1},
        "history": [1, 2],
        "version": 5,
        "count": 2,
        "events": [{"id": "e1"}, {"id": "e2"}],
    }


def test_the_original_document_and_its_lists_are_left_as_they_were() -> None:
    document = {"_id": 1, "history": [1]}
    apply_update(document, {"$push": {"history": 2}, "$set": {"a": 1}})
    assert document == {"_id": 1, "history": [1]}


@pytest.mark.parametrize(
    "update", [{"$set": {"a.b": 1}}, {"$addToSet": {"a": 1}}, {"$pull": {"a": 1}}]
)
def test_what_is_not_computed_here_is_refused_so_the_store_reads_it_instead(update) -> None:
    with pytest.raises(CannotApply):
        apply_update({"_id": 1}, update)
