"""minitorch.data: the shipped digits, Dataset / TensorDataset / Subset, DataLoader, and the seeded splits."""

from collections import namedtuple
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitorch
from minitorch.data import (DataLoader, Dataset, Subset, TensorDataset, default_collate, load_digits, random_split,
                            train_test_split)

# ----------------------------------------------------------------------------- the digits


def test_digits_have_the_documented_shapes_dtypes_and_range():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32, f"X: expected (1797, 64) float32, got {X.shape} {X.dtype}"
    assert y.shape == (1797,) and y.dtype == np.int64, f"y: expected (1797,) int64, got {y.shape} {y.dtype}"
    assert X.min() == 0.0 and X.max() == 1.0, f"pixels should span [0, 1], got [{X.min()}, {X.max()}]"
    counts = X * 16
    assert np.array_equal(counts, np.round(counts)), "X * 16 should give back the integer pixel counts 0..16"
    assert sorted(np.unique(y).tolist()) == list(range(10))
    per_class = np.bincount(y)
    assert per_class.min() >= 174 and per_class.max() <= 183, f"about 180 images per digit, got {per_class}"


def test_first_digit_is_the_zero_printed_in_scikit_learns_documentation():
    # digits.images[0] and digits.target[:10] as shown in scikit-learn's user guide and tutorials.
    zero = [[0, 0, 5, 13, 9, 1, 0, 0], [0, 0, 13, 15, 10, 15, 5, 0], [0, 3, 15, 2, 0, 11, 8, 0],
            [0, 4, 12, 0, 0, 8, 8, 0], [0, 5, 8, 0, 0, 9, 8, 0], [0, 4, 11, 0, 1, 12, 7, 0],
            [0, 2, 14, 5, 10, 12, 0, 0], [0, 0, 6, 13, 10, 0, 0, 0]]
    images, y = load_digits(flatten=False)
    assert images.shape == (1797, 8, 8)
    assert np.array_equal(images[0] * 16, zero), f"first image differs:\n{images[0] * 16}"
    assert y[:10].tolist() == list(range(10)), f"labels start 0..9, got {y[:10].tolist()}"


def test_flattened_rows_are_the_images_read_row_by_row():
    X, _ = load_digits()
    images, _ = load_digits(flatten=False)
    assert np.array_equal(X[5], images[5].reshape(64))


def test_each_load_returns_fresh_arrays():
    X, y = load_digits()
    X[:] = -1
    y[:] = -1
    X2, y2 = load_digits()
    assert X2.min() == 0.0 and y2.min() == 0, "changing one loaded copy must not change the next"


def test_shipped_file_loads_without_pickle_and_is_documented():
    files = resources.files("minitorch.data")
    with files.joinpath("digits.npz").open("rb") as f, np.load(f, allow_pickle=False) as stored:
        assert sorted(stored.files) == ["images", "labels"]
        assert all(stored[k].dtype == np.uint8 for k in stored.files), "the file stores plain uint8 arrays"
    doc = files.joinpath("DIGITS.md").read_text()
    for fact in ("CC BY 4.0", "Alpaydin", "Kaynak", "1998", "UCI", "(1797, 8, 8)"):
        assert fact in doc, f"DIGITS.md should state {fact!r}"


# ----------------------------------------------------------------------------- datasets


def test_tensor_dataset_returns_rows_of_every_tensor():
    X = minitorch.arange(12).reshape(6, 2)
    y = minitorch.arange(6) * 10
    ds = TensorDataset(X, y)
    assert len(ds) == 6
    x3, y3 = ds[3]
    assert x3.tolist() == [6, 7] and y3.item() == 30
    xs, ys = ds[np.array([4, 1])]
    assert xs.tolist() == [[8, 9], [2, 3]] and ys.tolist() == [40, 10]


def test_tensor_dataset_wraps_numpy_arrays_without_copying():
    X = np.zeros((3, 2), dtype=np.float32)
    ds = TensorDataset(X)
    X[1, 0] = 5.0
    assert ds[1][0].tolist() == [5.0, 0.0]


def test_tensor_dataset_rejects_mismatched_first_dimensions():
    with pytest.raises(ValueError, match=r"TensorDataset: .*same size in dimension 0.*\(5, 2\).*\(4,\)"):
        TensorDataset(minitorch.zeros(5, 2), minitorch.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(TypeError, match="argument 1 is a list"):
        TensorDataset(minitorch.zeros(2), [1, 2])


def test_a_dataset_subclass_without_getitem_gets_a_clear_error():
    class Empty(Dataset):
        def __len__(self):
            return 3

    with pytest.raises(TypeError, match="must define __getitem__"):
        Empty()[0]


def test_subset_maps_its_indices_and_checks_their_range():
    ds = TensorDataset(minitorch.arange(10))
    sub = Subset(ds, [7, 2, 2])
    assert len(sub) == 3 and [sub[i][0].item() for i in range(3)] == [7, 2, 2]
    with pytest.raises(IndexError, match="Subset: index 10 is out of range for a dataset of 10"):
        Subset(ds, [1, 10])


def test_random_split_partitions_the_samples_reproducibly():
    ds = TensorDataset(minitorch.arange(10))
    a, b = random_split(ds, [7, 3], seed=0)
    assert len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10)), "every sample lands in exactly one part"
    a2, _ = random_split(ds, [7, 3], seed=0)
    a3, _ = random_split(ds, [7, 3], seed=1)
    assert a.indices == a2.indices and a.indices != a3.indices


def test_random_split_fractions_round_like_pytorch():
    # torch.utils.data.random_split(range(10), [0.33, 0.33, 0.34]) gives lengths 4, 3, 3: each floor
    # (3, 3, 3), then the one left over goes to the first part.
    parts = random_split(TensorDataset(minitorch.arange(10)), [0.33, 0.33, 0.34], seed=0)
    assert [len(p) for p in parts] == [4, 3, 3]
    with pytest.raises(ValueError, match="add up to the dataset's 10 samples"):
        random_split(TensorDataset(minitorch.arange(10)), [5, 4])


def test_train_test_split_is_seeded_disjoint_and_complete():
    X = np.arange(20).reshape(10, 2)
    y = np.arange(10)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, seed=0)
    assert len(X_te) == 3 and len(X_tr) == 7
    assert np.array_equal(X_tr[:, 0] // 2, y_tr) and np.array_equal(X_te[:, 0] // 2, y_te), "rows stay paired"
    assert sorted(y_tr.tolist() + y_te.tolist()) == list(range(10))
    again = train_test_split(X, y, test_size=0.3, seed=0)
    other = train_test_split(X, y, test_size=0.3, seed=1)
    assert np.array_equal(again[3], y_te) and not np.array_equal(other[3], y_te)


def test_train_test_split_rounds_the_test_share_up_and_keeps_tensor_types():
    X = minitorch.arange(1797)
    X_tr, X_te = train_test_split(X, test_size=0.2, seed=0)
    assert isinstance(X_tr, minitorch.Tensor) and isinstance(X_te, minitorch.Tensor)
    assert len(X_te) == 360 and len(X_tr) == 1437, "ceil(0.2 * 1797) = 360 test samples"


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.integers(1, 40), min_size=2, max_size=6), test_size=st.floats(0.05, 0.6),
       seed=st.integers(0, 2**16))
def test_stratified_split_keeps_each_class_share_within_one_sample(counts, test_size, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    n_test = int(np.ceil(test_size * n))
    if not 0 < n_test < n:
        return
    y_tr, y_te = train_test_split(y, test_size=test_size, seed=seed, stratify=y)
    assert len(y_te) == n_test and len(y_tr) == n - n_test
    share = np.asarray(counts) * n_test / n
    got = np.bincount(y_te, minlength=len(counts))
    assert np.all(np.abs(got - share) < 1), f"test counts {got} should be within one of the shares {share}"
    assert np.array_equal(np.bincount(y_tr, minlength=len(counts)) + got, counts)


def test_train_test_split_errors_name_the_problem():
    with pytest.raises(ValueError, match="same number of rows"):
        train_test_split(np.zeros(4), np.zeros(5))
    with pytest.raises(ValueError, match="test_size must be a fraction"):
        train_test_split(np.zeros(4), test_size=1.5)
    with pytest.raises(ValueError, match="both parts need at least one"):
        train_test_split(np.zeros(4), test_size=4)


# ----------------------------------------------------------------------------- loader


def _dataset(n=10):
    return TensorDataset(minitorch.arange(2 * n).reshape(n, 2).float(), minitorch.arange(n))


def test_loader_batches_in_order_without_shuffle():
    loader = DataLoader(_dataset(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert [y.tolist() for _, y in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    x, y = batches[0]
    assert x.shape == (4, 2) and x.dtype == np.float32 and y.dtype == np.int64


def test_drop_last_skips_the_short_batch():
    loader = DataLoader(_dataset(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(y) for _, y in loader] == [4, 4]


@pytest.mark.parametrize("n, batch_size", [(10, 3), (7, 7), (5, 8)])
def test_shuffled_epoch_visits_every_sample_once(n, batch_size):
    loader = DataLoader(_dataset(n), batch_size=batch_size, shuffle=True, seed=1)
    seen = np.concatenate([y.numpy() for _, y in loader])
    assert sorted(seen.tolist()) == list(range(n))
    assert all(len(y) <= batch_size for _, y in loader)


def test_seeded_loader_gives_the_same_epochs_and_a_new_order_each_epoch():
    def epochs(loader, k=3):
        return [np.concatenate([y.numpy() for _, y in loader]).tolist() for _ in range(k)]

    a = epochs(DataLoader(_dataset(20), batch_size=5, shuffle=True, seed=7))
    b = epochs(DataLoader(_dataset(20), batch_size=5, shuffle=True, seed=7))
    c = epochs(DataLoader(_dataset(20), batch_size=5, shuffle=True, seed=8))
    assert a == b, "the same seed must give the same sequence of epochs"
    assert a != c
    assert a[0] != a[1], "each epoch should be shuffled anew"


def test_unseeded_loader_draws_from_the_global_generator():
    loader = DataLoader(_dataset(20), batch_size=20, shuffle=True)
    minitorch.manual_seed(3)
    first = next(iter(loader))[1].tolist()
    minitorch.manual_seed(3)
    again = next(iter(loader))[1].tolist()
    assert first == again and first != list(range(20))


def test_loader_state_dict_continues_the_shuffle_sequence():
    a = DataLoader(_dataset(12), batch_size=4, shuffle=True, seed=0)
    list(a)  # one epoch
    saved = a.state_dict()
    expected = [y.tolist() for _, y in a]
    b = DataLoader(_dataset(12), batch_size=4, shuffle=True, seed=123)
    b.load_state_dict(saved)
    assert [y.tolist() for _, y in b] == expected
    with pytest.raises(ValueError, match="both have a seed or both have none"):
        DataLoader(_dataset(12), batch_size=4, shuffle=True).load_state_dict(saved)


def test_tensor_fast_path_gives_the_same_batches_as_collating_samples():
    ds = _dataset(11)
    fast = DataLoader(ds, batch_size=4, shuffle=True, seed=5)
    slow = DataLoader(ds, batch_size=4, shuffle=True, seed=5, collate_fn=lambda s: default_collate(s))
    for (xf, yf), (xs, ys) in zip(fast, slow, strict=True):
        assert np.array_equal(xf.numpy(), xs.numpy()) and xf.dtype == xs.dtype
        assert np.array_equal(yf.numpy(), ys.numpy()) and yf.dtype == ys.dtype


def test_default_collate_keeps_the_structure_of_samples():
    Pair = namedtuple("Pair", "x y")
    batch = default_collate([Pair(np.ones(2), 1), Pair(np.zeros(2), 2)])
    assert isinstance(batch, Pair) and batch.x.shape == (2, 2) and batch.y.tolist() == [1, 2]
    assert batch.y.dtype == np.int64
    d = default_collate([{"a": 1.5, "name": "u"}, {"a": 2.5, "name": "v"}])
    assert d["a"].dtype == np.float64 and d["a"].tolist() == [1.5, 2.5] and d["name"] == ["u", "v"]
    as_list = default_collate([[minitorch.zeros(3), 0], [minitorch.ones(3), 1]])
    assert isinstance(as_list, list) and as_list[0].shape == (2, 3)


def test_default_collate_errors_are_clear():
    with pytest.raises(ValueError, match="same number of fields"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="got object"):
        default_collate([object(), object()])
    with pytest.raises(ValueError, match="empty"):
        default_collate([])


def test_loader_works_with_a_plain_dataset_subclass():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return float(i), i * i

    xs, ys = next(iter(DataLoader(Squares(), batch_size=5)))
    assert xs.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0] and ys.tolist() == [0, 1, 4, 9, 16]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_loader_rejects_a_bad_batch_size(bad):
    with pytest.raises(ValueError, match="DataLoader: batch_size must be a positive int"):
        DataLoader(_dataset(), batch_size=bad)


@pytest.mark.torch
@pytest.mark.parametrize("n, fractions", [(10, [0.33, 0.33, 0.34]), (11, [0.5, 0.25, 0.25]), (1797, [0.8, 0.2]),
                                          (7, [0.1, 0.2, 0.3, 0.4])])
def test_random_split_fraction_lengths_match_live_pytorch(n, fractions):
    torch_data = pytest.importorskip("torch.utils.data")
    want = [len(p) for p in torch_data.random_split(range(n), fractions)]
    got = [len(p) for p in random_split(TensorDataset(minitorch.arange(n)), fractions, seed=0)]
    assert got == want, f"lengths for n={n}, fractions {fractions}: got {got}, PyTorch gives {want}"


# ----------------------------------------------------------------------------- MNIST-1D
def test_mnist1d_has_the_documented_parts_shapes_and_balance():
    from minitorch.data import load_mnist1d

    for train, n in ((True, 4000), (False, 1000)):
        X, y = load_mnist1d(train=train)
        assert X.shape == (n, 40) and X.dtype == np.float32
        assert y.shape == (n,) and y.dtype == np.int64
        counts = np.bincount(y, minlength=10)
        assert counts.sum() == n and counts.min() > 0.08 * n and counts.max() < 0.12 * n, counts.tolist()
    X_train, _ = load_mnist1d()
    X_all = np.concatenate([X_train, load_mnist1d(train=False)[0]])
    assert abs(X_all.mean()) < 0.01 and abs(X_all.std() - 1) < 0.01, "standardised over the whole set"


def test_mnist1d_test_part_is_not_a_copy_of_the_training_part():
    from minitorch.data import load_mnist1d

    X_train, _ = load_mnist1d()
    X_test, _ = load_mnist1d(train=False)
    rows = {r.tobytes() for r in X_train}
    assert not any(r.tobytes() in rows for r in X_test)
