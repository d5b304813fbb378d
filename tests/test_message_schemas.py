import json

import jsonschema
import pytest

from curation.resources import schemas_dir

MESSAGE_SCHEMAS = sorted((schemas_dir() / "messages").glob("*.schema.json"))


@pytest.mark.parametrize("path", MESSAGE_SCHEMAS, ids=lambda p: p.name)
def test_message_schemas_are_valid_json_schema(path):
    schema = json.loads(path.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)


def test_extracted_findings_accepts_a_valid_message_and_rejects_an_invalid_one():
    schema = json.loads((schemas_dir() / "messages" / "extracted_findings.schema.json").read_text())
    jsonschema.validate({"findings": [{"label": "pleural_effusion", "assertion": "POSITIVE", "size_mm": 12}]}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"findings": [{"label": "x", "assertion": "MAYBE"}]}, schema)
