"""minitorch.data.load_names (the shipped 1990 US Census first names) and CharVocab."""

from importlib import resources

import numpy as np
import pytest

import minitorch
from minitorch.data import CharVocab, load_names


def test_names_have_the_documented_counts_alphabet_and_order():
    names = load_names()
    assert len(names) == 5163 and len(set(names)) == 5163, f"5 163 distinct names, got {len(names)}"
    assert names == sorted(names), "names are sorted alphabetically"
    assert all(n.isascii() and n.isalpha() and n.islower() for n in names), "only the letters a-z"
    assert min(map(len, names)) == 2 and max(map(len, names)) == 11
    assert set("".join(names)) == set("abcdefghijklmnopqrstuvwxyz")


def test_female_and_male_lists_are_the_census_lists_and_overlap_by_331():
    female, male = load_names("female"), load_names("male")
    assert (len(female), len(male)) == (4275, 1219)
    assert len(set(female) & set(male)) == 331
    assert set(female) | set(male) == set(load_names())
    # The most frequent names of the 1990 census head each list.
    assert {"mary", "patricia", "linda"} <= set(female) and {"james", "john", "robert"} <= set(male)


def test_load_names_rejects_an_unknown_sex():
    with pytest.raises(ValueError, match="'female' or 'male'"):
        load_names("other")


def test_each_load_returns_a_fresh_list():
    names = load_names()
    names.clear()
    assert len(load_names()) == 5163


def test_shipped_file_is_plain_ascii_and_documented():
    files = resources.files("minitorch.data")
    raw = files.joinpath("names.txt").read_bytes()
    assert raw.isascii() and raw.endswith(b"\n")
    assert all(line.split(b"\t")[1] in (b"f", b"m", b"fm") for line in raw.splitlines())
    doc = files.joinpath("NAMES.md").read_text()
    for needed in ("Public domain", "17 U.S.C.", "dist.female.first", "SHA-256", "How it was made"):
        assert needed in doc, f"NAMES.md should mention {needed!r}"


def test_char_vocab_puts_specials_first_and_round_trips():
    vocab = CharVocab(["emma", "ava"], specials=["<pad>", "."])
    assert vocab.itos == ["<pad>", ".", "a", "e", "m", "v"]
    assert vocab.stoi["<pad>"] == 0 and len(vocab) == 6 and "m" in vocab and "z" not in vocab
    ids = vocab.encode(".emma.")
    assert ids == [1, 3, 4, 4, 2, 1]
    assert vocab.decode(ids) == ".emma."
    assert vocab.decode(np.array(ids)) == ".emma." and vocab.decode(minitorch.tensor(ids)) == ".emma."
    assert vocab.encode(["<pad>", "a"]) == [0, 2]


def test_char_vocab_errors():
    vocab = CharVocab(["ab"])
    with pytest.raises(KeyError, match="'z' is not in the vocabulary"):
        vocab.encode("az")
    with pytest.raises(IndexError, match="id 2 is out of range"):
        vocab.decode([0, 2])
    with pytest.raises(ValueError, match="distinct"):
        CharVocab(["ab"], specials=[".", "."])


def test_char_vocab_over_all_names_has_26_letters_after_the_specials():
    vocab = CharVocab(load_names(), specials=["."])
    assert len(vocab) == 27 and vocab.itos[1:] == list("abcdefghijklmnopqrstuvwxyz")
