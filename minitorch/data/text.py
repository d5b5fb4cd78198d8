"""``CharVocab``: characters <-> integer ids, the smallest tokenizer (for character-level models).

    >>> vocab = CharVocab(["emma", "ava"], specials=["."])
    >>> vocab.itos                      # specials first, then the characters seen, sorted
    ['.', 'a', 'e', 'm', 'v']
    >>> vocab.encode("."+"ava"+".")
    [0, 1, 4, 1, 0]
    >>> vocab.decode([2, 3, 3, 1])
    'emma'
"""

from __future__ import annotations

from typing import Iterable, Sequence

__all__ = ["CharVocab"]


class CharVocab:
    """A fixed mapping between characters (or special tokens) and the ids ``0 .. len(vocab) - 1``.

    Args:
        texts: the strings whose characters make up the vocabulary (each distinct character gets an
            id, in sorted order).
        specials: extra tokens that come first (ids ``0, 1, ...`` in the given order), e.g. a padding
            token ``"<pad>"`` (id 0, handy as ``nn.Embedding(..., padding_idx=0)``) or a boundary
            ``"."`` that marks where a word starts and ends. A special may be a single character or a
            longer token; longer ones can only be encoded as whole items (``encode(["<pad>"])``).

    Attributes:
        itos: the token of each id (a list).
        stoi: the id of each token (a dict).

    Raises:
        ValueError: a special token is repeated, or is empty.
    """

    def __init__(self, texts: Iterable[str], specials: Sequence[str] = ()):
        specials = list(specials)
        if len(set(specials)) != len(specials) or any(not isinstance(s, str) or not s for s in specials):
            raise ValueError(f"CharVocab: specials must be distinct non-empty strings, got {specials!r}")
        chars = sorted({c for text in texts for c in text} - set(specials))
        self.itos: list[str] = specials + chars
        self.stoi: dict[str, int] = {token: i for i, token in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token: str) -> bool:
        return token in self.stoi

    def encode(self, text: str | Sequence[str]) -> list[int]:
        """The id of every character of ``text`` (or of every token, for a list of tokens).

        Raises:
            KeyError: a character is not in the vocabulary (the message names it).
        """
        try:
            return [self.stoi[token] for token in text]
        except KeyError as e:
            raise KeyError(f"CharVocab.encode: {e.args[0]!r} is not in the vocabulary of {len(self)} tokens "
                           f"{''.join(t for t in self.itos if len(t) == 1)!r}") from None

    def decode(self, ids: Iterable[int]) -> str:
        """The tokens of ``ids`` joined into a string (ids may be ints, numpy ints or a 1-D Tensor/array).

        Raises:
            IndexError: an id is outside ``0 .. len(self) - 1``.
        """
        values = getattr(ids, "data", ids)  # a minitorch Tensor: its array
        out = []
        for i in (values.tolist() if hasattr(values, "tolist") else values):
            i = int(i)
            if not 0 <= i < len(self.itos):
                raise IndexError(f"CharVocab.decode: id {i} is out of range for a vocabulary of {len(self)} tokens")
            out.append(self.itos[i])
        return "".join(out)

    def __repr__(self) -> str:
        return f"CharVocab({len(self)} tokens: {self.itos!r})"
