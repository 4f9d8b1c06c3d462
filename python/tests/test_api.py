"""The Python API: findings with the JSON output's fields, settings,
errors, pickling, and check_many equal to check."""

from __future__ import annotations

import json
import pickle
import subprocess

import pytest

import vblint
from conftest import REPO, make_notes, vblint_bin

NOTE = 'Kayla (14) is putting herself at risk. She said "I consented" and Mum\u2019s boyfriend was there.\r\nDeon is streetwise \U0001f4dd and mature for his age.'


def cli_json(text: str, *extra: str) -> list:
    run = subprocess.run(
        [vblint_bin(), "check", "--format", "json", *extra, "-"],
        input=text.encode(), capture_output=True,
    )
    assert run.returncode in (0, 1), run.stderr
    return json.loads(run.stdout)


def test_check_gives_exactly_the_cli_json_findings():
    found = vblint.check(NOTE)
    assert [f["rule"] for f in found] == ["put-self-at-risk", "consent", "streetwise", "mature-for-age"]
    assert found == cli_json(NOTE)
    for f in found:
        assert list(f) == list(vblint.FIELDS)
        assert NOTE.encode()[f["start"]:f["end"]].decode() == f["text"]


@pytest.mark.parametrize("quotes", ["skip", "info", "flag"])
def test_quotation_policy_and_disable_match_the_cli(quotes):
    found = vblint.check(NOTE, quotes=quotes, disable=["streetwise"])
    assert found == cli_json(NOTE, "--quotes", quotes, "--disable", "streetwise")
    assert "streetwise" not in [f["rule"] for f in found]


def test_scanner_with_a_lexicon_folder_and_config(tmp_path):
    folder = tmp_path / "force"
    folder.mkdir()
    (folder / "local.toml").write_text(
        '[[entry]]\nid = "boyfriend-local"\ncategory = "abuser-as-partner"\nterms = ["her older friend"]\n'
        'alternatives = ["[name the adult]"]\nwhy = "Hides the adult."\nsources = ["Force guidance"]\n'
        'examples = ["She left with her older friend."]\n',
        encoding="utf-8",
    )
    scanner = vblint.Scanner(lexicon_dirs=[folder], config={"severity": {"streetwise": "error"}, "quotes": "skip"})
    found = scanner.check("She left with her older friend. He is streetwise.")
    assert [(f["rule"], f["severity"]) for f in found] == [("boyfriend-local", "warning"), ("streetwise", "error")]
    assert "boyfriend-local" in scanner.rules()


def test_a_bad_lexicon_raises_with_file_line_column_and_help():
    bad = REPO / "tests" / "fixtures" / "cli" / "bad-lexicon"
    with pytest.raises(vblint.VblintError) as e:
        vblint.Scanner(lexicon_dirs=bad)
    message = str(e.value)
    assert f"{bad / 'bad.toml'}:2:" in message
    assert "help:" in message
    assert isinstance(e.value, ValueError)


def test_a_missing_lexicon_folder_gives_the_cli_message(tmp_path):
    with pytest.raises(vblint.VblintError, match=r"cannot read lexicon `.*nowhere`: no such file or folder \(help: check the path"):
        vblint.check("text", lexicon=tmp_path / "nowhere")


def test_bad_settings_say_what_to_write():
    with pytest.raises(vblint.VblintError, match=r"`quotes` is `sometimes`.*write `skip`, `info` or `flag`"):
        vblint.check("text", quotes="sometimes")
    with pytest.raises(vblint.VblintError, match=r"no lexicon entry `streetwsie`.*did you mean `streetwise`"):
        vblint.check("text", disable=["streetwsie"])
    with pytest.raises(vblint.VblintError, match=r"unknown key `qoutes`.*did you mean `quotes`"):
        vblint.Scanner(config={"qoutes": "skip"})
    with pytest.raises(TypeError, match="takes a str"):
        vblint.check(b"bytes")


def test_scanner_pickles_as_its_lexicon_texts(tmp_path):
    folder = tmp_path / "force"
    folder.mkdir()
    (folder / "local.toml").write_text(
        '[[entry]]\nid = "runner"\ncategory = "responsibility"\nterms = ["serial runner"]\n'
        'alternatives = ["is repeatedly missing"]\nwhy = "Blames the child."\nsources = ["x"]\n'
        'examples = ["A serial runner."]\n',
        encoding="utf-8",
    )
    scanner = vblint.Scanner(folder, config={"disable": ["streetwise"]})
    data = pickle.dumps(scanner)
    # The files are gone: the copy carries their texts.
    (folder / "local.toml").unlink()
    copy = pickle.loads(data)
    text = "He is a serial runner and streetwise."
    assert copy.check(text) == scanner.check(text)
    assert [f["rule"] for f in copy.check(text)] == ["runner"]
    assert copy.key == scanner.key


def test_check_many_equals_check_in_order():
    scanner = vblint.Scanner()
    rows = make_notes(3000, seed=7)
    texts = [note for _, _, note in rows]
    ids = [ref for ref, _, _ in rows]
    many = scanner.check_many(texts, ids=ids)
    one_by_one = [dict(f, record=ref) for ref, text in zip(ids, texts) for f in scanner.check(text)]
    assert many == one_by_one
    assert len(many) > 1000
    by_position = scanner.check_many(texts[:50])
    assert {f["record"] for f in by_position} <= set(range(50))


def test_check_many_refuses_what_is_not_text():
    with pytest.raises(TypeError, match="item 1 is NoneType"):
        vblint.Scanner().check_many(["a", None])
    with pytest.raises(ValueError, match="2 texts but 1 ids"):
        vblint.Scanner().check_many(["a", "b"], ids=["x"])
