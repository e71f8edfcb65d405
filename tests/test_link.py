"""The link stage's search for ids inside unresolved expressions, held to the plain definition."""

from __future__ import annotations

import random
import re

from iac_lint.link import EntitiesByName, named_entities
from iac_lint.model import Unknown


def _by_definition(ids: list[str], expr: str) -> list[str]:
    """An id stands in an expression where it is not inside a word, not an attribute or index of something
    else, and not indexed itself."""
    return [key for key in ids if re.search(rf"(?<![\w.\[]){re.escape(key)}(?![\w\[])", expr)]


def test_ids_found_in_expressions_are_those_the_definition_finds():
    rng = random.Random(14)
    alphabet = "aB_.-[]${}: é1"
    for _ in range(3000):
        ids = list(dict.fromkeys("".join(rng.choice("aB_é1.-") for _ in range(rng.randint(1, 4)))
                                 for _ in range(rng.randint(1, 6))))
        expr = "".join(rng.choice(alphabet + "".join(ids)) for _ in range(rng.randint(0, 24)))
        index = EntitiesByName({key: key for key in ids})
        assert named_entities(Unknown(expr), index) == _by_definition(ids, expr), (ids, expr)


def test_a_template_names_its_stores_by_reference_and_attribute():
    ids = ["Table", "TableArchive", "aws_s3_bucket.uploads", "Queue"]
    entities = {key: key for key in ids}
    index = EntitiesByName(entities)
    assert named_entities(Unknown("${Table}"), index) == ["Table"]
    assert named_entities(Unknown("!GetAtt TableArchive.Arn"), index) == ["TableArchive"]
    assert named_entities(Unknown("${aws_s3_bucket.uploads.id}/x"), index) == ["aws_s3_bucket.uploads"]
    assert named_entities(Unknown("${data.Queue} ${Queue[0]}"), index) == []
    assert named_entities("Queue", index) == ["Queue"]
